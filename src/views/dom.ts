/**
 * Tiny DOM helpers for the widgets. Everything that comes from a profile
 * goes in through textContent or setAttribute, never innerHTML.
 */

/** A new element with class names and optional text content. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/**
 * A `<thead>` with one row of column headers (`scope="col"` for screen
 * readers); each column is a label or [label, tooltip].
 */
export function tableHead(columns: ReadonlyArray<string | readonly [string, string]>): HTMLTableSectionElement {
  const head = element('thead');
  const headRow = head.appendChild(element('tr'));
  for (const column of columns) {
    const [label, title] = typeof column === 'string' ? [column, ''] : column;
    const th = headRow.appendChild(element('th', '', label));
    th.scope = 'col';
    if (title) {
      th.title = title;
    }
  }
  return head;
}

/** A `<button type="button">` with text and a click handler. */
export function button(
  className: string,
  text: string,
  onClick: (event: MouseEvent) => void,
  title = ''
): HTMLButtonElement {
  const node = element('button', className, text);
  node.type = 'button';
  if (title) {
    node.title = title;
  }
  node.addEventListener('click', onClick);
  return node;
}

/** Value of a CSS custom property as seen from `node`, '' if unset. */
export function cssVariable(node: Element, name: string): string {
  return getComputedStyle(node).getPropertyValue(name).trim();
}

/** Save a blob under `fileName` through a temporary object URL. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = element('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser time to start the download before freeing the blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
