/**
 * RGB <-> HSV for one pixel, a transcription of torchvision's tensor _rgb2hsv / _hsv2rgb
 * (all components in [0, 1], hue in turns) so that hue drift matches F.adjust_hue.
 */
export function rgbToHsv(r: number, g: number, b: number): [h: number, s: number, v: number] {
  const maxc = Math.max(r, g, b);
  const minc = Math.min(r, g, b);
  const eqc = maxc === minc;
  const cr = maxc - minc;
  const s = cr / (eqc ? 1 : maxc);
  const div = eqc ? 1 : cr;
  const rc = (maxc - r) / div;
  const gc = (maxc - g) / div;
  const bc = (maxc - b) / div;
  let h: number;
  if (maxc === r) h = bc - gc;
  else if (maxc === g) h = 2 + rc - bc;
  else h = 4 + gc - rc;
  // torch.fmod(h / 6 + 1, 1): h / 6 + 1 is positive here, so % matches.
  return [(h / 6 + 1) % 1, s, maxc];
}

export function hsvToRgb(h: number, s: number, v: number): [r: number, g: number, b: number] {
  const i6 = Math.floor(h * 6);
  const f = h * 6 - i6;
  const p = clamp01(v * (1 - s));
  const q = clamp01(v * (1 - s * f));
  const t = clamp01(v * (1 - s * (1 - f)));
  switch (((i6 % 6) + 6) % 6) {
    case 0:
      return [v, t, p];
    case 1:
      return [q, v, p];
    case 2:
      return [p, v, t];
    case 3:
      return [p, q, v];
    case 4:
      return [t, p, v];
    default:
      return [v, p, q];
  }
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
