import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Command } from './commands.ts';

/**
 * Explicit commands that bypass understanding: /new <intent>, /cancel, /submit, /status, /help.
 * Returns null when the text is not a slash command.
 */
export function parseSlashCommand(text: string, catalog: IntentCatalog): Command[] | null {
  const m = /^\/([a-z]+)(?:\s+(.*))?$/i.exec(text.trim());
  if (!m) return null;
  const [, verb = '', arg = ''] = m;
  switch (verb.toLowerCase()) {
    case 'new': {
      const key = arg.trim();
      return catalog.get(key) ? [{ type: 'start_intent', intent: key }] : [{ type: 'help' }];
    }
    case 'cancel': return [{ type: 'cancel' }];
    case 'submit': return [{ type: 'confirm' }];
    case 'status': return [{ type: 'status_query' }];
    default: return [{ type: 'help' }];
  }
}
