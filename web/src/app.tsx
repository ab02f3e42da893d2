import { RoomPage } from './pages/room-page.tsx';
import { StartPage } from './pages/start-page.tsx';
import { useRoute } from './router.ts';

/** The two pages of the app: `/` and `/r/<roomId>`. */
export function App() {
  const route = useRoute();
  if (route.page === 'room') {
    // Keyed so that moving to another room starts from a clean state.
    return <RoomPage key={route.roomId} roomId={route.roomId} invite={route.invite} />;
  }
  return <StartPage />;
}
