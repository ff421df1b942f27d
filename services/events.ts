/**
 * The service's typed event bus. The loop publishes here; socket.io, Prometheus, the logs
 * and tests are listeners, so the loop never knows who is watching. Names come from
 * contract.ts, payload types from loop/loop-events.ts.
 */
import { EventEmitter } from 'node:events';
import type { StoredAlert } from './loop/alerts.ts';
import type { LoopEventMap } from './loop/loop-events.ts';
import type { ReplayEventMap } from './replay/replay-events.ts';

export interface ServiceEventMap extends LoopEventMap, ReplayEventMap {
  'alert:received': StoredAlert;
}

export type EventName = keyof ServiceEventMap;

/** A bus typed by an event map: publish and listen see the payload type of the name. */
export class TypedBus<M extends object> {
  private readonly emitter = new EventEmitter();

  publish<K extends keyof M & string>(name: K, payload: M[K]): void {
    this.emitter.emit('*', name, payload);
    this.emitter.emit(name, payload);
  }

  on<K extends keyof M & string>(name: K, listener: (payload: M[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  /** Every event, with its name (socket.io relays through this). */
  onAny(listener: (name: keyof M & string, payload: M[keyof M]) => void): () => void {
    this.emitter.on('*', listener);
    return () => this.emitter.off('*', listener);
  }
}

export class EventBus extends TypedBus<ServiceEventMap> {}
/** The part of the bus the loop needs (a test can pass a bus of loop events only). */
export type LoopBus = Pick<TypedBus<LoopEventMap>, 'publish'>;
