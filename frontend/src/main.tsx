import { render } from 'preact';
import { watchStylesheets } from './chunks';
import { App } from './ui/App';
import { initLang } from './i18n';
import { route } from './router';
import { bootRoom } from './viewer/boot';
import './styles.css';

performance.mark('curia:main');
watchStylesheets(); // a stylesheet that failed on the Wi-Fi is fetched again (chunks.ts)
// A meeting room's URL: start its first page now (the pdf.js worker, the presented document).
bootRoom();
// The meeting room needs only the base dictionary; the chair's and the desk's strings follow.
void initLang(route(location.pathname).name !== 'room').then(() => render(<App />, document.getElementById('app')!));
