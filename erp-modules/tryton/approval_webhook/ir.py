# Tryton 6.0 module: the ir.trigger action "ir.trigger|approval_webhook".
#
# When a trigger with this action fires (ir.trigger, on create/write/delete with a PYSON condition such as
# "state became posted"), the records it fired for are POSTed to the approval assistant as JSON:
#
#     {"event_id": "<uuid4>", "model": "account.invoice",
#      "records": [{"id": 7, "reference": "approval:acme:R-0042:r1", "state": "posted"}]}
#
# with the headers
#     X-Erp-Event-Id:  the same uuid4 (the receiver drops a replayed event id)
#     X-Erp-Timestamp: unix seconds (the receiver refuses a stale one)
#     X-Erp-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
#
# Where things come from:
#     the URL:    the trigger's own "approval_webhook_url", else trytond.conf [approval_webhook] url
#     the secret: trytond.conf [approval_webhook] secret only (never stored in the database, where
#                 every user allowed to read triggers could see it)
#     [approval_webhook] reference_prefix (default "approval:"): only records whose `reference` starts with
#                 it are sent (the documents the assistant made); an empty value sends every record
#     [approval_webhook] timeout (seconds, default 5)
#
# The receiver reads each document back over JSON-RPC: the body only says "look at these".
# Sending never breaks Tryton's transaction: ir.trigger runs the action as a queued task after the commit
# (without a queue worker: at the end of the same request), and every error here is logged and swallowed.
#
# ir.trigger: https://docs.tryton.org/projects/server/en/6.0/ref/models/models.html (ir.trigger in
# trytond/ir/trigger.py: trigger_action calls <model>.<method>(records, trigger) for "<model>|<method>").
import hashlib
import hmac
import json
import logging
import time
import urllib.request
import uuid

from trytond.config import config
from trytond.model import fields
from trytond.pool import PoolMeta

__all__ = ['Trigger']

logger = logging.getLogger(__name__)

SECTION = 'approval_webhook'
ACTION = 'ir.trigger|approval_webhook'


def sign(secret, timestamp, body):
    "The X-Erp-Signature value for a body sent at timestamp (unix seconds)."
    message = str(timestamp).encode('utf-8') + b'.' + body
    digest = hmac.new(secret.encode('utf-8'), message, hashlib.sha256)
    return 'sha256=' + digest.hexdigest()


def notice(model_name, records, prefix):
    "The JSON body for the records whose reference starts with prefix, or None when none does."
    sent = []
    for record in records:
        reference = getattr(record, 'reference', None)
        if prefix and not (reference or '').startswith(prefix):
            continue
        sent.append({
                'id': record.id,
                'reference': reference,
                'state': getattr(record, 'state', None),
                })
    if not sent:
        return None
    return {
        'event_id': str(uuid.uuid4()),
        'model': model_name,
        'records': sent,
        }


class Trigger(metaclass=PoolMeta):
    __name__ = 'ir.trigger'
    approval_webhook_url = fields.Char(
        "Approval Webhook URL",
        help="Where the approval webhook action POSTs, e.g. "
        "https://approvals.example.com/webhooks/erp/tryton-main\n"
        "Empty: [approval_webhook] url of the server configuration.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        action = (ACTION, "Approval webhook (signed POST)")
        if action not in cls.action.selection:
            cls.action.selection.append(action)

    @classmethod
    def approval_webhook(cls, records, trigger):
        "The trigger action: sends the notice, logs and swallows every failure."
        try:
            cls._approval_webhook_send(records, trigger)
        except Exception:
            logger.exception(
                'approval webhook of trigger %s failed', trigger.id)

    @classmethod
    def _approval_webhook_send(cls, records, trigger):
        url = trigger.approval_webhook_url or config.get(SECTION, 'url')
        secret = config.get(SECTION, 'secret')
        if not url:
            logger.error('approval webhook of trigger %s: no URL (set it on '
                'the trigger or as [%s] url)', trigger.id, SECTION)
            return
        if not secret:
            logger.error('approval webhook of trigger %s: no [%s] secret in '
                'the server configuration; nothing sent', trigger.id, SECTION)
            return
        if not records:
            return
        prefix = config.get(SECTION, 'reference_prefix', default='approval:')
        body = notice(records[0].__class__.__name__, records, prefix)
        if body is None:
            return
        data = json.dumps(body, separators=(',', ':')).encode('utf-8')
        timestamp = str(int(time.time()))
        request = urllib.request.Request(url, data=data, method='POST', headers={
                'Content-Type': 'application/json',
                'X-Erp-Event-Id': body['event_id'],
                'X-Erp-Timestamp': timestamp,
                'X-Erp-Signature': sign(secret, timestamp, data),
                })
        timeout = config.getfloat(SECTION, 'timeout', default=5)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
        logger.info('approval webhook of trigger %s: sent %s (%d records) to %s',
            trigger.id, body['event_id'], len(body['records']), url)
