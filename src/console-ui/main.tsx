import { render } from 'preact';
import { App } from './app.js';

// The page's one entry: everything the daemon sends is rendered as text by Preact (no innerHTML anywhere).
render(<App />, document.getElementById('app')!);
