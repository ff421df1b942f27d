/** Alerts delivered by Alertmanager's webhook, latest status per alert (bounded). */
import { z } from 'zod';

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string().max(256), z.string().max(1024)).default({}),
  annotations: z.record(z.string().max(256), z.string().max(4096)).default({}),
  startsAt: z.string().max(64).optional(),
  endsAt: z.string().max(64).optional(),
  fingerprint: z.string().max(128).optional(),
});

/** Alertmanager webhook payload (version 4); unknown fields are ignored. */
export const alertmanagerPayloadSchema = z.object({
  version: z.string().max(16).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(256).optional(),
  alerts: z.array(alertSchema).min(1).max(500),
});

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

export interface StoredAlert {
  key: string;
  name: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  receivedAt: string;
}

export class AlertLog {
  private readonly byKey = new Map<string, StoredAlert>();

  constructor(private readonly limit = 200) {}

  /** Stores each alert of a payload and returns them as stored. */
  record(payload: AlertmanagerPayload): StoredAlert[] {
    const receivedAt = new Date().toISOString();
    return payload.alerts.map((a) => {
      const key = a.fingerprint ?? JSON.stringify(Object.entries(a.labels).sort());
      const stored: StoredAlert = {
        key,
        name: a.labels.alertname ?? 'unnamed',
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        receivedAt,
      };
      this.byKey.delete(key);
      this.byKey.set(key, stored);
      if (this.byKey.size > this.limit) this.byKey.delete(this.byKey.keys().next().value as string);
      return stored;
    });
  }

  list(): { firing: StoredAlert[]; resolved: StoredAlert[] } {
    const all = [...this.byKey.values()].reverse();
    return {
      firing: all.filter((a) => a.status === 'firing'),
      resolved: all.filter((a) => a.status === 'resolved'),
    };
  }
}
