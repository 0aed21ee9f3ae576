/** Element lookup by the page's stable `data-testid` hooks, failing loudly when one is missing. */

export function byTestId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!element) throw new Error(`web demo: no element with data-testid="${id}" in index.html`);
  return element;
}

/** Sets an element's text and its machine-readable value (`data-value`). */
export function showValue(element: HTMLElement, text: string, value: number | string): void {
  element.textContent = text;
  element.dataset.value = String(value);
}
