/** socket.io as a listener: every service event is relayed to the dashboards, and a new socket gets the state. */
import type { Server as IoServer } from 'socket.io';
import { EVENTS } from './contract.ts';
import type { EventBus } from './events.ts';
import type { LoopState } from './loop/loop-state.ts';

export function relayToSockets(events: EventBus, io: IoServer, state: () => LoopState): () => void {
  const onConnection = (socket: { emit(name: string, payload: unknown): void }) =>
    socket.emit(EVENTS.state, state());
  io.on('connection', onConnection);
  const off = events.onAny((name, payload) => io.emit(name, payload));
  return () => {
    off();
    io.off('connection', onConnection);
  };
}
