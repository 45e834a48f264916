import { z } from 'zod';

/**
 * Bot instances (`bots/*.yaml`). A bot belongs to one tenant and one platform. Secrets are never in
 * YAML: `credentials` maps each secret to the NAME of an environment variable.
 */
const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  tenant: z.string().min(1).default('default'),
  enabled: z.boolean().default(true),
  locale: z.enum(['zh', 'en']).default('zh'),
  /** Intent keys offered by this bot; omitted = every intent in the catalog. */
  intents: z.array(z.string()).optional(),
  /** ERP connector id for approved requests. */
  erp: z.string().default('sandbox'),
  /**
   * A group chat of this bot's platform (Feishu chat_id, DingTalk openConversationId) where finance gets the
   * reconciliation digest; without one on any bot of the tenant, it goes to each person with the `finance` role.
   */
  finance_chat: z.string().min(1).optional(),
};

/**
 * People sign in to the web console with this bot's app (Feishu web OAuth, DingTalk login). Off by default: the
 * redirect URL `<PUBLIC_URL>/auth/<platform>/<bot id>/callback` must first be registered in the app's developer
 * console, and PUBLIC_URL set.
 */
const signIn = z.boolean().default(false);

const envName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable NAME, not a value');

export const consoleBotSchema = z.object({
  ...common,
  platform: z.literal('console'),
  finance_chat: z.never({ error: 'the console has no group chats: the digest goes to each person with the finance role' }).optional(),
}).strict();

export const feishuBotSchema = z.object({
  ...common,
  platform: z.literal('feishu'),
  transport: z.enum(['webhook', 'websocket']).default('webhook'),
  /** feishu | lark | a base URL (private deployment, tests). */
  domain: z.string().default('feishu'),
  credentials: z.object({
    app_id: envName,
    app_secret: envName,
    encrypt_key: envName.optional(),
    verification_token: envName.optional(),
  }).strict(),
  directory_sync_minutes: z.number().int().nonnegative().default(60),
  sign_in: signIn,
}).strict();

export const dingtalkBotSchema = z.object({
  ...common,
  platform: z.literal('dingtalk'),
  transport: z.literal('stream').default('stream'),
  api_base: z.string().url().default('https://api.dingtalk.com'),
  oapi_base: z.string().url().default('https://oapi.dingtalk.com'),
  /** DingTalk's sign-in page host (the browser is sent to <login_base>/oauth2/auth). */
  login_base: z.string().url().default('https://login.dingtalk.com'),
  /** Stream gateway "open connection" URL; the SDK hard-codes it, we override it. */
  gateway: z.string().url().default('https://api.dingtalk.com/v1.0/gateway/connections/open'),
  credentials: z.object({
    client_id: envName,
    client_secret: envName,
    robot_code: envName.optional(),
  }).strict(),
  /** Card template ids made in DingTalk's card platform; a missing one falls back to markdown. */
  card_templates: z.object({
    form: z.string().optional(),
    approval: z.string().optional(),
    status: z.string().optional(),
  }).strict().default({}),
  directory_sync_minutes: z.number().int().nonnegative().default(60),
  sign_in: signIn,
}).strict();

export const botSchema = z.discriminatedUnion('platform', [consoleBotSchema, feishuBotSchema, dingtalkBotSchema]);
export type BotConfig = z.infer<typeof botSchema>;
export type ConsoleBotConfig = z.infer<typeof consoleBotSchema>;
export type FeishuBotConfig = z.infer<typeof feishuBotSchema>;
export type DingtalkBotConfig = z.infer<typeof dingtalkBotSchema>;
