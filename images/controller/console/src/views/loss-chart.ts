/** The training and validation loss by step, drawn by uPlot (canvas; its stylesheet is bundled into app.css). */
import uPlot from 'uplot';
import { h } from '../dom';
import type { JobEvent } from '../types';

export interface LossChart {
  readonly element: HTMLElement;
  /** Redraws with every `metrics` event seen so far (any order; one point per step). */
  update(events: Iterable<JobEvent>): void;
  destroy(): void;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Steps are whole numbers: tick spacings 1, 2, 5, 10, 20, 50, … (uPlot's defaults include 0.5, 2.5, …). */
const STEP_INCREMENTS = Array.from({ length: 8 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

export function lossChart(): LossChart {
  const canvasHost = h('div', { class: 'chart-canvas' });
  const caption = h('p', { class: 'chart-caption' }, 'No loss reported yet.');
  const element = h('figure', { class: 'chart', 'aria-label': 'Loss by step', 'data-points': '0' }, canvasHost, caption);
  let plot: uPlot | undefined;
  let data: uPlot.AlignedData = [[], [], []];
  // (the figure's width follows the page; the canvas host's would follow the canvas drawn at the previous size)
  const size = () => {
    const width = Math.max(240, (element.clientWidth || 620) - 20);
    return { width, height: width < 500 ? 200 : 280 };
  };
  const make = () => {
    plot = new uPlot(
      {
        ...size(),
        scales: { x: { time: false } },
        axes: [{ label: 'step', incrs: STEP_INCREMENTS }, { label: 'loss' }],
        series: [{ label: 'step' }, { label: 'training loss', stroke: '#2563eb', width: 2, spanGaps: true }, { label: 'validation loss', stroke: '#c2410c', width: 2, spanGaps: true }],
        // a key of the two series (the caption gives the latest values): no cursor-driven "--" values
        legend: { show: true, live: false },
      },
      data,
      canvasHost,
    );
  };
  const onResize = () => plot?.setSize(size());
  window.addEventListener('resize', onResize);
  return {
    element,
    update(events) {
      const byStep = new Map<number, { train: number | null; valid: number | null }>();
      for (const e of events) {
        const step = num(e.data['step']);
        if (e.type !== 'metrics' || step === null) continue;
        byStep.set(step, { train: num(e.data['train_loss']), valid: num(e.data['valid_loss']) });
      }
      const steps = [...byStep.keys()].sort((a, b) => a - b);
      data = [steps, steps.map((s) => byStep.get(s)?.train ?? null), steps.map((s) => byStep.get(s)?.valid ?? null)];
      element.setAttribute('data-points', String(steps.length));
      const last = steps[steps.length - 1];
      caption.textContent =
        last === undefined ? 'No loss reported yet.' : `${steps.length} steps; step ${last}: training loss ${byStep.get(last)?.train?.toFixed(4) ?? '—'}, validation loss ${byStep.get(last)?.valid?.toFixed(4) ?? '—'}`;
      if (steps.length === 0) return;
      if (plot === undefined) make();
      else plot.setData(data);
    },
    destroy() {
      window.removeEventListener('resize', onResize);
      plot?.destroy();
    },
  };
}
