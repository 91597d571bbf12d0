// The calendar page's FullCalendar: every view plugin (month and week grids, list, dragging) and the classic theme.
import { Calendar } from 'fullcalendar/all';
import classicTheme from 'fullcalendar/themes/classic';
import 'fullcalendar/skeleton.css';
import 'fullcalendar/themes/classic/theme.css';
import 'fullcalendar/themes/classic/palette.css';

window.FullCalendar = { Calendar, classicTheme };
