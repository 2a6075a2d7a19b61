/**
 * index.html: report.md's content as one self-contained page (styles inline, charts inlined as
 * SVG), readable on a projector and in print.
 */
import { marked } from 'marked';

const STYLE = `
  body { font: 18px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1.5rem; color: #111; }
  h1 { font-size: 1.9rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #ddd; } h3 { font-size: 1.1rem; }
  table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 1rem 0; }
  th, td { border: 1px solid #ccc; padding: 0.35rem 0.5rem; vertical-align: top; }
  th { background: #f2f2f2; text-align: left; } td:not(:first-child) { font-variant-numeric: tabular-nums; }
  .chart { margin: 1rem 0 2rem; page-break-inside: avoid; } .chart svg { max-width: 100%; height: auto; }
  code { background: #f4f4f4; padding: 0 0.2rem; }
  @media print { body { font-size: 11pt; max-width: none; } h2 { page-break-before: auto; } table, .chart { page-break-inside: avoid; } }
`;

/** Replaces each ```mermaid block with its rendered SVG, in order. */
export function renderHtml(markdown: string, svgs: string[]): string {
  let index = 0;
  const withCharts = markdown.replace(/```mermaid\n[\s\S]*?```/g, () => {
    const svg = svgs[index] ?? '';
    index += 1;
    return `<div class="chart">${svg}</div>`;
  });
  const body = marked.parse(withCharts, { async: false });
  const title = /^# (.*)$/m.exec(markdown)?.[1] ?? 'Benchmark report';
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${STYLE}</style></head><body>\n${body}\n</body></html>\n`;
}
