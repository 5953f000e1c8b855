/** Steps the UI tests share: opening a notebook, running palette commands, saving pictures. */
import * as fs from 'fs';
import * as path from 'path';

import { expect, Locator, Page } from '@playwright/test';

/** The token start-lab.sh gives the server. */
export const TOKEN = process.env.VMPROF_UI_TOKEN ?? '';

/** Open a notebook of the temporary root and wait for an idle kernel. */
export async function openNotebook(page: Page, notebook: string): Promise<Locator> {
  await page.goto(`/lab/tree/${notebook}?token=${TOKEN}&reset`);
  const panel = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)').first();
  await expect(panel.locator('.jp-Cell').first()).toBeVisible({ timeout: 120_000 });
  // The indicator says idle before a kernel exists too: also wait for the
  // status bar to name the kernel and call it idle.
  await expect(page.locator('.jp-StatusBar-Widget').getByText(/Python 3 \(ipykernel\) \| Idle/)).toBeVisible({
    timeout: 120_000
  });
  await expect(panel.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toBeVisible({
    timeout: 120_000
  });
  return panel;
}

/**
 * Run a command through the command palette, as a keyboard user would. The shortcut is pressed
 * again (after Escape, which leaves a cell editor) when the palette does not open: in one clean
 * run of 34 tests it stayed closed for two minutes after a cell had run.
 */
export async function runFromPalette(page: Page, label: string): Promise<void> {
  const input = page.locator('.jp-mod-commandPalette input, #modal-command-palette input').first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+Shift+C');
    try {
      await expect(input).toBeVisible({ timeout: attempt < 4 ? 10_000 : 60_000 });
      break;
    } catch (err) {
      if (attempt >= 4) {
        throw err;
      }
      await page.keyboard.press('Escape');
    }
  }
  await input.fill(label);
  await page.locator('.lm-CommandPalette-item', { hasText: label }).first().click();
}

/**
 * With VMPROF_UI_SCREENSHOTS=1, copy a screenshot into docs/images/ (the README's
 * pictures); otherwise runs leave the tracked images alone.
 */
export function saveForDocs(file: string, name: string): void {
  if (process.env.VMPROF_UI_SCREENSHOTS === '1') {
    const dir = path.join(__dirname, '..', '..', 'docs', 'images');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(file, path.join(dir, name));
  }
}

/**
 * Dismiss every alert/confirm the page raises and keep its message: a test expects the list
 * empty (a script run from a hostile name would raise one).
 */
export function collectDialogs(page: Page): string[] {
  const messages: string[] = [];
  page.on('dialog', dialog => {
    messages.push(dialog.message());
    void dialog.dismiss();
  });
  return messages;
}

/** A code cell of nbformat 4.5, not run yet. */
export function codeCell(source: string, id: string): Record<string, unknown> {
  return { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source, id };
}

/** A Python 3 notebook of these cells. */
export function notebookOf(cells: Record<string, unknown>[]): Record<string, unknown> {
  return {
    cells,
    metadata: {
      kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

/** Write a notebook (its JSON content) into the server's root through the contents API. */
export async function putNotebook(page: Page, notebookPath: string, content: unknown): Promise<void> {
  const response = await page.request.put(`/api/contents/${notebookPath}`, {
    headers: { Authorization: `token ${TOKEN}` },
    data: { type: 'notebook', format: 'json', content }
  });
  expect(response.ok()).toBe(true);
}
