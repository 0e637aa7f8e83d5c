import { render } from 'preact';
import { App } from './ui/App';
import { initLang } from './i18n';
import './styles.css';

performance.mark('curia:main');
void initLang().then(() => render(<App />, document.getElementById('app')!));
