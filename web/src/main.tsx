import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import './styles.css';

// No StrictMode: its double-mounted effects would open every room's WebSocket twice.
createRoot(document.getElementById('root')!).render(<App />);
