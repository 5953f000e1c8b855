/**
 * Box labels that fit: a name too long for its box is cut with an
 * ellipsis rather than dropped, as long as the box holds a few characters;
 * the full name stays in the tooltip. Pure, measured in an average
 * character width, since the views do not measure text in the DOM.
 */

/** Average width of a character of the 12 px UI font, in pixels. */
export const CHAR_PX = 7;
/** Padding inside a box, in pixels. */
const PADDING_PX = 6;
/** Fewer characters than this, ellipsis included, are not worth showing. */
export const MIN_LABEL_CHARS = 3;

export function fitLabel(name: string, boxPx: number, charPx: number = CHAR_PX): string {
  if (!Number.isFinite(boxPx)) {
    return name;
  }
  const room = Math.floor((boxPx - PADDING_PX) / charPx);
  if (room >= name.length) {
    return name;
  }
  if (room < MIN_LABEL_CHARS) {
    return '';
  }
  return `${name.slice(0, room - 1)}…`;
}
