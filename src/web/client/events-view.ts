import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { call } from './api.js';
import { dateTime } from './format.js';
import { store } from './store.js';

interface Ev {
  at: number;
  pm_id: number;
  name: string;
  event: string;
  reason?: string;
  exit_code?: number;
  signal?: string;
}

interface Channel {
  channel: string;
  configured: boolean;
  state: 'ok' | 'retrying' | 'failing';
  queued: number;
  sent: number;
  last_error?: string;
}

/** The configured notification channels; one that keeps failing stands out (docs/notifications.md). */
function Channels({ channels }: { channels: Channel[] }) {
  const used = channels.filter((c) => c.configured);
  if (used.length === 0) return null;
  return html`<section aria-labelledby="n-title" data-testid="channels">
    <h2 id="n-title">Notifications</h2>
    <ul class="channels">
      ${used.map(
        (c) =>
          html`<li key=${c.channel} class=${`channel-${c.state}`}>
            <strong>${c.channel}</strong> ${c.state} · ${c.sent}
            sent${c.queued > 0 ? ` · ${c.queued} queued` : ''}
            ${c.last_error && c.state !== 'ok' ? html`<span class="reason"> — ${c.last_error}</span>` : null}
          </li>`,
      )}
    </ul>
  </section>`;
}

/** The host's timeline: every start, exit (code or signal), restart (reason), newest first. */
export function EventsView() {
  const [events, setEvents] = useState<Ev[]>([]);
  const [channels, setChannels] = useState<Channel[]>([]);
  useEffect(() => {
    let timer: number | undefined;
    const load = () => {
      void call<Ev[]>('GET', '/api/events?limit=300')
        .then(setEvents)
        .catch(() => undefined);
      void call<Channel[]>('GET', '/api/notifications')
        .then(setChannels)
        .catch(() => undefined);
    };
    // Table events come in bursts (a restart is several): fetch once the burst is over.
    const soon = () => {
      clearTimeout(timer);
      timer = window.setTimeout(load, 300);
    };
    load();
    store.eventListeners.add(soon);
    return () => {
      store.eventListeners.delete(soon);
      clearTimeout(timer);
    };
  }, []);
  return html`<${Channels} channels=${channels} />
    <section aria-labelledby="e-title">
      <h1 id="e-title">Events</h1>
      <div class="scroll">
        <table class="history" data-testid="events">
          <thead>
            <tr>
              <th>when</th>
              <th>app</th>
              <th>id</th>
              <th>event</th>
              <th>reason</th>
              <th>exit</th>
            </tr>
          </thead>
          <tbody>
            ${events.map(
              (e, k) =>
                html`<tr key=${k} class=${`ev-${e.event.replace(/\s+/g, '-')}`}>
                  <td>${dateTime(e.at)}</td>
                  <td><a href=${`#/app/${encodeURIComponent(e.name)}`}>${e.name}</a></td>
                  <td>${e.pm_id}</td>
                  <td>${e.event}</td>
                  <td>${e.reason ?? ''}</td>
                  <td>${e.exit_code !== undefined ? `code ${e.exit_code}` : (e.signal ?? '')}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${events.length === 0 ? html`<p class="empty">No events yet.</p>` : null}
    </section>`;
}
