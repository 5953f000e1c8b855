/**
 * A <details> menu whose list opens as a fixed popup on document.body, so a
 * short output (JupyterLab clips an output's overflow) never cuts it: placed
 * below the summary, or above when there is more room there, kept inside the
 * window; closed by a click elsewhere, Escape, or scrolling.
 */
export function detachedPopup(details: HTMLDetailsElement, list: HTMLElement): void {
  const close = (event: Event) => {
    if (event.type === 'keydown' && (event as KeyboardEvent).key !== 'Escape') {
      return;
    }
    if (event.type === 'mousedown' && (list.contains(event.target as Node) || details.contains(event.target as Node))) {
      return;
    }
    if (event.type === 'scroll' && list.contains(event.target as Node)) {
      return;
    }
    details.open = false;
  };
  const listen = (on: boolean) => {
    const method = on ? 'addEventListener' : 'removeEventListener';
    document[method]('mousedown', close, true);
    document[method]('keydown', close, true);
    document[method]('scroll', close, true);
  };
  details.addEventListener('toggle', () => {
    if (details.open && details.isConnected) {
      list.classList.add('jp-mod-popup');
      document.body.appendChild(list);
      place(details.querySelector('summary') ?? details, list);
      listen(true);
    } else {
      listen(false);
      list.classList.remove('jp-mod-popup');
      list.style.top = list.style.left = list.style.maxHeight = '';
      if (list.parentElement !== details) {
        details.appendChild(list);
      }
    }
  });
}

function place(anchor: Element, list: HTMLElement): void {
  const margin = 4;
  const rect = anchor.getBoundingClientRect();
  const width = window.innerWidth;
  const height = window.innerHeight;
  const below = height - rect.bottom - margin;
  const above = rect.top - margin;
  const needed = list.scrollHeight;
  const down = needed <= below || below >= above;
  const room = Math.max(60, down ? below : above);
  list.style.maxHeight = `${room}px`;
  const shown = Math.min(needed, room);
  list.style.top = `${down ? rect.bottom + 2 : Math.max(margin, rect.top - 2 - shown)}px`;
  const left = Math.min(rect.right - list.offsetWidth, width - list.offsetWidth - margin);
  list.style.left = `${Math.max(margin, left)}px`;
}
