/**
 * Series styles that survive colour-blindness: the Okabe-Ito palette, and for every series
 * a dash pattern and point shape too, so no line is told apart by its colour alone.
 */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
};

// Yellow comes last: it has the lowest contrast on a white background.
const SERIES_COLOURS = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
  OKABE_ITO.black,
  OKABE_ITO.yellow,
];
const SERIES_DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [14, 4, 4, 4], [1, 5]];
const SERIES_POINTS = ['circle', 'triangle', 'rect', 'rectRot', 'star', 'crossRot', 'cross'];

/**
 * The style of the i-th series. Colours, dashes and shapes cycle with different lengths,
 * so the first 56 series all differ in at least one of the three.
 */
export function seriesStyle(i) {
  const n = Math.max(0, Math.trunc(i));
  return {
    colour: SERIES_COLOURS[n % SERIES_COLOURS.length],
    dash: SERIES_DASHES[n % SERIES_DASHES.length],
    pointStyle: SERIES_POINTS[n % SERIES_POINTS.length],
  };
}
