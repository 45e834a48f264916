#!/usr/bin/python3
"""Business data for a fresh Tryton 6.0 test database (the modules are already activated by trytond-admin).

    /usr/bin/python3 setup-db.py <trytond.conf> <database> <params.json> <ids-out.json>

Runs in-process through proteus (no server needed). Debian's /usr/bin/python3 is required: the packages
python3-trytond and python3-proteus live in its dist-packages, not in a pyenv or venv interpreter.
params.json: {"fiscalYear": 2026, "botLogin": "...", "botPassword": "..."}.
Writes the ids of what it created to ids-out.json, which the TypeScript helper (start-tryton.ts) hands to tests.

proteus documentation: https://docs.tryton.org/projects/client-library/en/6.0/
"""
import datetime
import json
import sys
from decimal import Decimal

from proteus import Model, Wizard, config


def xml_id(module, fs_id):
    """The database id of a record the modules shipped (ir.model.data)."""
    ModelData = Model.get('ir.model.data')
    data, = ModelData.find([('module', '=', module), ('fs_id', '=', fs_id)], limit=1)
    return data.db_id


def one(model, domain):
    found = Model.get(model).find(domain, limit=2)
    if len(found) != 1:
        raise SystemExit('expected one %s for %r, found %d' % (model, domain, len(found)))
    return found[0]


def make_currency():
    Currency = Model.get('currency.currency')
    cny = Currency(name='Chinese Yuan Renminbi', symbol='¥', code='CNY', rounding=Decimal('0.01'), digits=2)
    cny.save()
    Model.get('currency.currency.rate')(date=datetime.date(2000, 1, 1), rate=Decimal(1), currency=cny).save()
    return cny


def make_company(cfg, currency):
    Party = Model.get('party.party')
    party = Party(name='Approval Test Co., Ltd.')
    party.save()
    wizard = Wizard('company.company.config')
    wizard.execute('company')
    wizard.form.party = party
    wizard.form.currency = currency
    wizard.execute('add')
    # The context proteus sends must now name the company, as the Tryton client's does after a login.
    cfg._context = Model.get('res.user').get_preferences(True, {})
    return one('company.company', [])


def make_chart(company):
    """The chart the account module ships as "Minimal Account Chart": receivable, payable, revenue,
    expense and a "Main Cash" account, which is all an expense reimbursement needs."""
    AccountTemplate = Model.get('account.account.template')
    wizard = Wizard('account.create_chart')
    wizard.execute('account')
    wizard.form.account_template = AccountTemplate(xml_id('account', 'account_template_root_en'))
    wizard.form.company = company
    wizard.execute('create_account')

    def account(domain):
        return one('account.account', domain + [('company', '=', company.id)])
    accounts = {
        'receivable': account([('type.receivable', '=', True)]),
        'payable': account([('type.payable', '=', True)]),
        'expense': account([('type.expense', '=', True)]),
        'revenue': account([('type.revenue', '=', True)]),
        'cash': account([('name', '=', 'Main Cash')]),
    }
    # Default receivable/payable of every party (party.account_payable itself stays empty).
    wizard.form.account_receivable = accounts['receivable']
    wizard.form.account_payable = accounts['payable']
    wizard.execute('create_properties')
    return accounts


def make_fiscal_year(company, year):
    move_type = one('ir.sequence.type', [('name', '=', 'Account Move')])
    invoice_type = one('ir.sequence.type', [('name', '=', 'Invoice')])
    move_sequence = Model.get('ir.sequence')(name='Moves %d' % year, sequence_type=move_type, company=company)
    move_sequence.save()
    invoice_sequence = Model.get('ir.sequence.strict')(
        name='Invoices %d' % year, sequence_type=invoice_type, company=company)
    invoice_sequence.save()
    fiscal_year = Model.get('account.fiscalyear')(
        name=str(year), company=company, post_move_sequence=move_sequence,
        start_date=datetime.date(year, 1, 1), end_date=datetime.date(year, 12, 31))
    numbering, = fiscal_year.invoice_sequences
    for field in ('in_invoice_sequence', 'in_credit_note_sequence',
            'out_invoice_sequence', 'out_credit_note_sequence'):
        setattr(numbering, field, invoice_sequence)
    fiscal_year.save()
    fiscal_year.click('create_period')  # monthly periods: an invoice posts into the period of its date
    return fiscal_year


def make_payment_setup(company, currency, cash_account):
    journal_cash = one('account.journal', [('type', '=', 'cash')])
    method = Model.get('account.invoice.payment.method')(
        name='Bank transfer', company=company, journal=journal_cash,
        debit_account=cash_account, credit_account=cash_account)
    method.save()
    payment_journal = Model.get('account.payment.journal')(
        name='Manual transfers', company=company, currency=currency, process_method='manual')
    payment_journal.save()
    return {'journal_cash': journal_cash.id, 'invoice_payment_method': method.id,
        'payment_journal': payment_journal.id}


def make_parties(company):
    Party = Model.get('party.party')
    employee_party = Party(name='Wang Fang')
    employee_party.addresses[0].city = 'Hangzhou'
    employee_party.save()
    employee = Model.get('company.employee')(party=employee_party, company=company)
    employee.save()
    supplier = Party(name='Hangzhou Office Supplies Co.')
    supplier.save()
    return {'party_employee': employee_party.id, 'employee': employee.id,
        'party_employee_address': employee_party.addresses[0].id, 'party_supplier': supplier.id}


def make_expense_product(accounts):
    settings = Model.get('account.configuration')(1)
    settings.default_category_account_expense = accounts['expense']
    settings.default_category_account_revenue = accounts['revenue']
    settings.save()
    category = Model.get('product.category')(
        name='Reimbursable expenses', accounting=True,
        account_expense=accounts['expense'], account_revenue=accounts['revenue'])
    category.save()
    unit = one('product.uom', [('name', '=', 'Unit')])
    template = Model.get('product.template')(
        name='Expense reimbursement', type='service', default_uom=unit, purchase_uom=unit,
        list_price=Decimal(0), purchasable=True, account_category=category)
    template.save()
    return {'product_expense': template.products[0].id, 'uom_unit': unit.id}


def restrict_party_writes():
    """party.party ships without access rules (anyone may change a party). Make it read-only except for
    Party Administration, so the bot's rights really are "read parties"."""
    Access = Model.get('ir.model.access')
    party_model = one('ir.model', [('model', '=', 'party.party')])
    Access(model=party_model, perm_read=True, perm_write=False, perm_create=False, perm_delete=False).save()
    Access(model=party_model, group=Model.get('res.group')(xml_id('party', 'group_party_admin')),
        perm_read=True, perm_write=True, perm_create=True, perm_delete=True).save()


def make_bot_user(company, login, password):
    """Least privilege: Account (invoices: create, validate, post) and Purchase; not an administrator."""
    Group = Model.get('res.group')
    User = Model.get('res.user')
    bot = User(name='Approval bot', login=login)
    bot.password = password
    for module, fs_id in (('account', 'group_account'), ('purchase', 'group_purchase')):
        bot.groups.append(Group(xml_id(module, fs_id)))
    bot.companies.append(Model.get('company.company')(company.id))
    bot.company = Model.get('company.company')(company.id)
    bot.save()
    return bot


def main(conf_path, database, params_path, out_path):
    with open(params_path) as f:
        params = json.load(f)
    cfg = config.set_trytond(database=database, config_file=conf_path)
    currency = make_currency()
    company = make_company(cfg, currency)
    accounts = make_chart(company)
    fiscal_year = make_fiscal_year(company, int(params['fiscalYear']))
    ids = {'company': company.id, 'currency': currency.id, 'fiscal_year': fiscal_year.id,
        'journal_expense': one('account.journal', [('type', '=', 'expense')]).id}
    ids.update({'account_%s' % k: a.id for k, a in accounts.items()})
    ids.update(make_payment_setup(company, currency, accounts['cash']))
    ids.update(make_parties(company))
    ids.update(make_expense_product(accounts))
    restrict_party_writes()
    ids['user_bot'] = make_bot_user(company, params['botLogin'], params['botPassword']).id
    with open(out_path, 'w') as f:
        json.dump(ids, f)


if __name__ == '__main__':
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
