# Approval webhook: an ir.trigger action that tells the approval assistant, by a signed HTTP POST, that
# documents it created in Tryton changed (posted, paid, ...). See README.md next to this file.
from trytond.pool import Pool

from . import ir

__all__ = ['register']


def register():
    Pool.register(
        ir.Trigger,
        module='approval_webhook', type_='model')
