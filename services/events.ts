/**
 * The service's event bus. The loop publishes here; socket.io, the logs and tests are
 * listeners, so the loop never knows who is watching. Names come from contract.ts.
 */
import { EventEmitter } from 'node:events';
import { EVENTS } from './contract.ts';

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

export class EventBus {
  private readonly emitter = new EventEmitter();

  publish(name: EventName, payload: object): void {
    this.emitter.emit('*', name, payload);
    this.emitter.emit(name, payload);
  }

  on(name: EventName, listener: (payload: unknown) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  /** Every event, with its name (socket.io relays through this). */
  onAny(listener: (name: EventName, payload: object) => void): () => void {
    this.emitter.on('*', listener);
    return () => this.emitter.off('*', listener);
  }
}
