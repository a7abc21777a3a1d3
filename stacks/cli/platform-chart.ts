import * as fs from 'node:fs';
import * as path from 'node:path';

/** The chart's folder inside the vpctune package (`charts/vpctune`, shipped with it: package.json `files`). */
export const CHART_NAME = 'vpctune';

/**
 * The absolute path of `charts/vpctune` in the vpctune package this file belongs to, found upwards from here (works
 * from the sources, from dist/ and from an installed package).
 */
export function vpctuneChartDir(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vpctune') {
      const chart = path.join(dir, 'charts', CHART_NAME);
      if (!fs.existsSync(path.join(chart, 'Chart.yaml'))) throw new Error(`the vpctune package at ${dir} has no charts/${CHART_NAME}/Chart.yaml`);
      return chart;
    }
    if (path.dirname(dir) === dir) throw new Error(`no vpctune package.json above ${from}`);
  }
}
