/**
 * The profile browser's icon: three stacked bars narrowing upwards, an
 * icicle graph seen from afar. `jp-icon3` lets the theme colour it.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const PROFILE_ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="2" y="17" width="20" height="4" rx="1"/>
    <rect x="2" y="11.5" width="13" height="4" rx="1"/>
    <rect x="16.5" y="11.5" width="5.5" height="4" rx="1"/>
    <rect x="2" y="6" width="8" height="4" rx="1"/>
    <rect x="11.5" y="6" width="3.5" height="4" rx="1"/>
    <circle cx="5" cy="3" r="1.6"/>
  </g>
</svg>`;

export const profileIcon = new LabIcon({
  name: 'jupyterlab-vmprof:profile',
  svgstr: PROFILE_ICON_SVG
});
