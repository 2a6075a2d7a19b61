// mermaid-cli drives a browser through puppeteer; the report uses Debian's Chromium
// (harness/src/infra/binaries.ts installs it), so puppeteer must not download its own.
module.exports = { skipDownload: true };
