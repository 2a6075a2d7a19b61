/**
 * index.html: report.md's content as one self-contained page (styles inline, charts inlined as
 * SVG), readable on a projector and in print. Each section is also a slide: S (or the button, or
 * #slides in the address) presents one section per screen, the arrow keys, Page Up/Down, Space,
 * Home and End move between them, Escape returns to the page. Printing always prints the page.
 */
import { marked } from 'marked';
import type { LegendEntry } from './charts.ts';

const STYLE = `
  body { font: 18px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1.5rem; color: #111; }
  h1 { font-size: 1.9rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #ddd; } h3 { font-size: 1.1rem; }
  table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 1rem 0; }
  th, td { border: 1px solid #ccc; padding: 0.35rem 0.5rem; vertical-align: top; }
  th { background: #f2f2f2; text-align: left; } td:not(:first-child) { font-variant-numeric: tabular-nums; }
  .chart { margin: 1rem 0 2rem; page-break-inside: avoid; } .chart svg { max-width: 100%; height: auto; }
  .legend { list-style: none; padding: 0; margin: 0.25rem 0 0; display: flex; flex-wrap: wrap; gap: 0.4rem 1.4rem; font-size: 0.9rem; }
  .legend .swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; vertical-align: -0.1em; border: 1px solid #444; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  code { background: #f4f4f4; padding: 0 0.2rem; }
  .present { position: fixed; top: 0.75rem; right: 0.75rem; font: inherit; font-size: 0.9rem; padding: 0.3rem 0.8rem; }
  body.slides { max-width: none; margin: 0; padding: 0; font-size: 22px; }
  body.slides .slide { display: none; box-sizing: border-box; min-height: 100vh; padding: 2rem 4rem; }
  body.slides .slide.current { display: block; }
  body.slides .slide-number { position: fixed; bottom: 0.75rem; right: 1rem; color: #555; font-size: 0.8rem; }
  body:not(.slides) .slide-number { display: none; }
  @media print {
    body, body.slides { font-size: 11pt; max-width: none; margin: 0; padding: 0; }
    body.slides .slide { display: block; min-height: 0; padding: 0; }
    .present, .slide-number { display: none; }
    h2 { page-break-before: auto; } table, .chart { page-break-inside: avoid; }
  }
`;

// Keyboard navigation for the slide mode; no dependency, nothing fetched.
const SLIDES_SCRIPT = `
(() => {
  const slides = [...document.querySelectorAll('.slide')];
  const number = document.querySelector('.slide-number');
  let current = 0;
  const show = (index) => {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach((slide, i) => slide.classList.toggle('current', i === current));
    number.textContent = (current + 1) + ' / ' + slides.length;
    slides[current].scrollIntoView();
  };
  const present = (on) => {
    document.body.classList.toggle('slides', on);
    history.replaceState(null, '', on ? '#slides' : location.pathname);
    if (on) show(current);
  };
  document.querySelector('.present').addEventListener('click', () => present(true));
  document.addEventListener('keydown', (event) => {
    const presenting = document.body.classList.contains('slides');
    if (event.key === 's' || event.key === 'S') return present(!presenting);
    if (!presenting) return;
    const to = { ArrowRight: current + 1, ArrowDown: current + 1, PageDown: current + 1, ' ': current + 1, ArrowLeft: current - 1, ArrowUp: current - 1, PageUp: current - 1, Home: 0, End: slides.length - 1 }[event.key];
    if (event.key === 'Escape') present(false);
    else if (to !== undefined) { event.preventDefault(); show(to); }
  });
  if (location.hash === '#slides') present(true);
})();
`;

/** The page cut into sections at each second-level heading, the part before the first one a section too. */
export function slides(html: string): string {
  return html.split(/(?=<h2[\s>])/).map((part) => `<section class="slide">\n${part}</section>\n`).join('');
}

const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A chart's legend: a swatch of each series' colour beside its name. */
export function legendHtml(legend: readonly LegendEntry[]): string {
  if (legend.length === 0) return '';
  const items = legend.map((entry) => `<li><span class="swatch" style="background: ${escapeHtml(entry.colour)}"></span>${escapeHtml(entry.label)}</li>`);
  return `<ul class="legend" aria-label="Legend">${items.join('')}</ul>`;
}

/**
 * Replaces each ```mermaid block, and the legend in words under it, with its rendered SVG and a
 * legend in colour, in order.
 */
export function renderHtml(markdown: string, charts: readonly { svg: string; legend: readonly LegendEntry[] }[]): string {
  let index = 0;
  const withCharts = markdown.replace(/```mermaid\n[\s\S]*?```(\n\n\*Legend:\*[^\n]*)?/g, () => {
    const chart = charts[index];
    index += 1;
    return `<div class="chart">${chart?.svg ?? ''}${legendHtml(chart?.legend ?? [])}</div>`;
  });
  const body = slides(marked.parse(withCharts, { async: false }));
  const title = /^# (.*)$/m.exec(markdown)?.[1] ?? 'Benchmark report';
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${STYLE}</style></head><body>\n<button class="present" type="button" title="One section per screen; arrow keys move, Escape returns">Present (S)</button>\n${body}<div class="slide-number" aria-live="polite"></div>\n<script>${SLIDES_SCRIPT}</script>\n</body></html>\n`;
}
