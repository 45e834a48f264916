/**
 * What DingTalk checks on the card and robot APIs the adapter calls, with the documented error codes. Sources
 * (full addresses in docs/platforms/dingtalk.md, "Page list"):
 *  - '创建并投放卡片' (open.dingtalk.com/document/development/create-and-deliver-cards): request fields, openSpaceId
 *    `dtv1.card//TYPE.id;TYPE.id`, deliver models, `supportForward` required when an OpenSpaceModel is present,
 *    callbackType in capitals, userIdType 1|2, error table (param.openSpaceIdEmpty, param.openSpaceIdInvalid,
 *    param.openDeliverModelEmpty, param.openDeliverModelError, param.openSpaceModelInvalid,
 *    param.cardTemplateIdEmpty, param.cardPublicDataEmpty, param.templateNotExist, param.invalid …);
 *  - 'API 卡片数据的填写说明' (…/instructions-for-filling-in-api-card-data): cardParamMap is Map<String, String>,
 *    key ≤ 100 B, value ≤ 1 KB, privateData keyed by userId;
 *  - '更新卡片' / '卡片更新' (…/interactive-card-update-interface): PUT /v1.0/card/instances, cardUpdateOptions by key or overwrite;
 *  - '事件回调' (…/event-callback-card): the callback answer `{ cardData, userPrivateData, cardUpdateOptions }`;
 *  - '消息发送与接收类型' (robot msgKey → msgParam fields) and the batchSend / groupMessages error codes
 *    (invalidParameter.robotCode.empty, invalidParameter.userIds.empty, invalidParameter.userIds.overMax (20 per
 *    call), invalidParameter.msgKey.invalid, invalidParameter.msgParam.invalid, invalidParameter.msgParam.tooLong).
 */
export interface ApiError { status: number; code: string; message: string }

const err = (code: string, message: string, status = 400): ApiError => ({ status, code, message });
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bytes = (s: string): number => Buffer.byteLength(s);

/** Map<String, String>: every value a string, key ≤ 100 B, value ≤ 1 KB. */
export function checkParamMap(map: unknown, where: string): ApiError | undefined {
  if (map === undefined) return undefined;
  if (!isRecord(map)) return err('param.invalid', `${where} must be an object of strings`);
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string') return err('param.invalid', `${where}.${k} is ${typeof v}, cardParamMap values are strings`);
    if (bytes(k) > 100) return err('param.invalid', `${where} key ${k.slice(0, 20)}… is over 100 bytes`);
    if (bytes(v) > 1024) return err('param.invalid', `${where}.${k} is ${bytes(v)} bytes, over 1 KB`);
  }
  return undefined;
}

function checkPrivateData(pd: unknown): ApiError | undefined {
  if (pd === undefined) return undefined;
  if (!isRecord(pd)) return err('param.invalid', 'privateData must be keyed by userId');
  for (const [user, v] of Object.entries(pd)) {
    if (bytes(user) > 100) return err('param.invalid', 'privateData userId over 100 bytes');
    if (!isRecord(v)) return err('param.invalid', `privateData.${user} must be { cardParamMap }`);
    const e = checkParamMap(v['cardParamMap'], `privateData.${user}.cardParamMap`);
    if (e) return e;
  }
  return undefined;
}

const SPACE_TYPES: Record<string, { space?: string; deliver?: string }> = {
  IM_GROUP: { space: 'imGroupOpenSpaceModel', deliver: 'imGroupOpenDeliverModel' },
  IM_ROBOT: { space: 'imRobotOpenSpaceModel', deliver: 'imRobotOpenDeliverModel' },
  IM_SINGLE: { space: 'imSingleOpenSpaceModel', deliver: 'imSingleOpenDeliverModel' },
  ONE_BOX: { space: 'topOpenSpaceModel', deliver: 'topOpenDeliverModel' },
};

/** `dtv1.card//IM_GROUP.cid…;IM_ROBOT.user` → [{ type, id }], or undefined when it does not parse. */
export function parseOpenSpaceId(s: string): { type: string; id: string }[] | undefined {
  if (!s.startsWith('dtv1.card//')) return undefined;
  const parts = s.slice('dtv1.card//'.length).split(';');
  const out: { type: string; id: string }[] = [];
  for (const p of parts) {
    const dot = p.indexOf('.');
    const type = p.slice(0, dot).toUpperCase();
    const id = p.slice(dot + 1);
    if (dot <= 0 || !id || !SPACE_TYPES[type]) return undefined;
    out.push({ type, id });
  }
  return out;
}

export function checkCreateAndDeliver(b: Record<string, unknown>, templates: Set<string>): ApiError | undefined {
  if (!b['outTrackId']) return err('param.outTrackIdEmpty', 'outTrackId empty');
  if (!b['cardTemplateId']) return err('param.cardTemplateIdEmpty', 'cardTemplateId empty');
  if (!templates.has(String(b['cardTemplateId']))) return err('param.templateNotExist', 'template not exist');
  if (!isRecord(b['cardData'])) return err('param.cardPublicDataEmpty', 'cardData empty');
  const pm = checkParamMap(b['cardData']['cardParamMap'], 'cardData.cardParamMap') ?? checkPrivateData(b['privateData']);
  if (pm) return pm;
  if (b['callbackType'] !== undefined && !['STREAM', 'HTTP'].includes(String(b['callbackType']))) return err('param.invalid', 'callbackType must be STREAM or HTTP (capitals)');
  if (b['callbackType'] === 'HTTP' && !b['callbackRouteKey']) return err('param.invalid', 'HTTP callbacks need callbackRouteKey');
  if (b['userIdType'] !== undefined && b['userIdType'] !== 1 && b['userIdType'] !== 2) return err('param.invalid', 'userIdType is 1 (userId) or 2 (unionId)');
  if (!b['openSpaceId']) return err('param.openSpaceIdEmpty', 'openSpaceId empty');
  const spaces = parseOpenSpaceId(String(b['openSpaceId']));
  if (!spaces) return err('param.openSpaceIdInvalid', `openSpaceId ${String(b['openSpaceId'])} is not dtv1.card//TYPE.id[;TYPE.id]`);
  for (const [type, models] of Object.entries(SPACE_TYPES)) {
    const model = models.space ? b[models.space] : undefined;
    if (model !== undefined && (!isRecord(model) || typeof model['supportForward'] !== 'boolean')) return err('param.openSpaceModelInvalid', `${models.space}.supportForward is required (boolean)`);
    if (!spaces.some((s) => s.type === type)) continue;
    const deliver = models.deliver ? b[models.deliver] : undefined;
    if (!isRecord(deliver)) return err('param.openDeliverModelEmpty', `${type} space without ${models.deliver}`);
    if (type === 'IM_GROUP' && !deliver['robotCode']) return err('param.openDeliverModelError', 'imGroupOpenDeliverModel.robotCode is required');
    if (type === 'IM_ROBOT' && deliver['spaceType'] !== 'IM_ROBOT') return err('param.openDeliverModelError', 'imRobotOpenDeliverModel.spaceType must be IM_ROBOT');
  }
  return undefined;
}

export function checkUpdate(b: Record<string, unknown>): ApiError | undefined {
  if (!b['outTrackId']) return err('param.outTrackIdEmpty', 'outTrackId empty');
  if (b['cardData'] === undefined && b['privateData'] === undefined) return err('param.cardDataAndPrivateDataBothEmpty', 'cardData and privateData both empty');
  if (b['cardData'] !== undefined && !isRecord(b['cardData'])) return err('param.invalid', 'cardData must be { cardParamMap }');
  const opts = b['cardUpdateOptions'];
  if (opts !== undefined && (!isRecord(opts) || Object.values(opts).some((v) => typeof v !== 'boolean'))) return err('param.invalid', 'cardUpdateOptions are booleans');
  return checkParamMap(isRecord(b['cardData']) ? b['cardData']['cardParamMap'] : undefined, 'cardData.cardParamMap') ?? checkPrivateData(b['privateData']);
}

/** The card-callback answer (`data.response` of the ACK). Returns what is wrong with it. */
export function callbackResponseProblems(response: unknown): string[] {
  if (response === null || response === undefined) return [];
  if (!isRecord(response)) return ['response is not an object'];
  const problems: string[] = [];
  for (const k of Object.keys(response)) if (!['cardData', 'userPrivateData', 'cardUpdateOptions'].includes(k)) problems.push(`unknown field ${k}`);
  for (const k of ['cardData', 'userPrivateData'] as const) {
    const v = response[k];
    if (v === undefined) continue;
    if (!isRecord(v)) { problems.push(`${k} is not { cardParamMap }`); continue; }
    const e = checkParamMap(v['cardParamMap'], `${k}.cardParamMap`);
    if (e) problems.push(e.message);
  }
  const o = response['cardUpdateOptions'];
  if (o !== undefined && (!isRecord(o) || Object.values(o).some((v) => typeof v !== 'boolean'))) problems.push('cardUpdateOptions are booleans');
  return problems;
}

/** msgKey → the msgParam fields it requires ('消息发送与接收类型', 接口方式). */
const MSG_PARAMS: Record<string, string[]> = {
  sampleText: ['content'], sampleMarkdown: ['title', 'text'], sampleImageMsg: ['photoURL'],
  sampleLink: ['text', 'title', 'picUrl', 'messageUrl'], sampleActionCard: ['title', 'text', 'singleTitle', 'singleURL'],
  sampleActionCard2: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2'],
  sampleActionCard3: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2', 'actionTitle3', 'actionURL3'],
  sampleActionCard4: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2', 'actionTitle3', 'actionURL3', 'actionTitle4', 'actionURL4'],
  sampleActionCard5: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2', 'actionTitle3', 'actionURL3', 'actionTitle4', 'actionURL4', 'actionTitle5', 'actionURL5'],
  sampleActionCard6: ['title', 'text', 'buttonTitle1', 'buttonUrl1', 'buttonTitle2', 'buttonUrl2'],
  sampleAudio: ['mediaId', 'duration'], sampleFile: ['mediaId', 'fileName', 'fileType'], sampleVideo: ['duration', 'videoMediaId', 'videoType', 'picMediaId'],
};
/** groupMessages/send: msgParam up to 15 000 bytes. */
const GROUP_MSG_PARAM_MAX = 15_000;
const BATCH_USERS_MAX = 20;

export function checkRobotSend(path: string, b: Record<string, unknown>): ApiError | undefined {
  if (!b['robotCode']) return err('invalidParameter.robotCode.empty', 'robotCode is empty');
  if (path.endsWith('/batchSend')) {
    const ids = b['userIds'];
    if (!Array.isArray(ids) || ids.length === 0) return err('invalidParameter.userIds.empty', 'userIds is empty');
    if (ids.length > BATCH_USERS_MAX) return err('invalidParameter.userIds.overMax', `userIds over ${BATCH_USERS_MAX}`);
  } else if (!b['openConversationId']) {
    return err('invalidParameter.param.invalid', 'openConversationId is required');
  }
  const key = b['msgKey'];
  if (typeof key !== 'string' || !MSG_PARAMS[key]) return err('invalidParameter.msgKey.invalid', `msgKey ${String(key)} is not a message template key`);
  const raw = b['msgParam'];
  if (typeof raw !== 'string') return err('invalidParameter.msgParam.invalid', 'msgParam must be a JSON string');
  if (!path.endsWith('/batchSend') && bytes(raw) > GROUP_MSG_PARAM_MAX) return err('invalidParameter.msgParam.tooLong', 'msgParam over 15000 bytes');
  let param: unknown;
  try { param = JSON.parse(raw); } catch { return err('invalidParameter.msgParam.invalid', 'msgParam is not JSON'); }
  if (!isRecord(param)) return err('invalidParameter.msgParam.invalid', 'msgParam is not a JSON object');
  const missing = MSG_PARAMS[key].filter((f) => typeof param[f] !== 'string' || param[f] === '');
  if (missing.length > 0) return err('invalidParameter.msgParam.invalid', `${key} needs ${missing.join(', ')}`);
  return undefined;
}
