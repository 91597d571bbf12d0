// Only the pieces the analytics line charts use, so the served bundle stays small; Chart.js itself is unchanged.
import {
  Chart, LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, Filler,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, Filler);
window.Chart = Chart;
