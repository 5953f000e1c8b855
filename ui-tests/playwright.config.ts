/**
 * UI tests of jupyterlab-vmprof in a real JupyterLab, driven with Debian's
 * Chromium (no browser download). Run: `cd ui-tests && jlpm playwright test`
 * or, from the repository root, `jlpm playwright test -c ui-tests`.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { defineConfig } from '@playwright/test';

/** A port nobody listens on now; kept in the environment for the workers. */
function freePort(): string {
  const script =
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])';
  return execFileSync('python3', ['-c', script]).toString().trim();
}

process.env.VMPROF_UI_PORT ||= freePort();
process.env.VMPROF_UI_TOKEN ||= 'vmprof-ui-tests-token';
const port = process.env.VMPROF_UI_PORT;

export default defineConfig({
  testDir: './tests',
  // Two runs at once must not share (and wipe) one results folder.
  outputDir: process.env.VMPROF_UI_RESULTS || './test-results',
  timeout: 240_000,
  expect: { timeout: 120_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    command: `bash ${path.join(__dirname, 'start-lab.sh')}`,
    url: `http://127.0.0.1:${port}/api`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe'
  }
});
