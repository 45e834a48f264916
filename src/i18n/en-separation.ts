/**
 * Separation of duties (src/workflow/separation.ts): refusals of a submit or a transfer, and what the route preview
 * says of a step given to someone else; in English, spread into en.ts. zh-separation.ts has the same keys.
 */
export const enSeparation = {
  'error.noSeparateApprover': 'Nobody may approve "{step}": the requester and the approvers of other steps are kept off it, and no fallback names anyone else. An admin can set separation.fallback for this intent',
  'error.sodTransferRequester': 'Cannot transfer to the requester: nobody approves their own request',
  'error.sodTransferOtherStep': 'Cannot transfer to {person}: they approved or hold another step of this request ({step}), and nobody approves two steps',
  'error.sodTransferLaterStep': 'Cannot transfer to {person}: they approve a later step of this request ({step}), and nobody approves two steps',
  'error.sodTransferNoFallback': 'Cannot transfer to {person}: the later step "{step}" would have to be given to someone else, and no fallback names anyone',
  'error.sodSelf': 'You are the requester, and nobody approves their own request: transfer this task to someone else',
  'error.sodTwoSteps': 'You already approved another step of this request ({step}), and nobody approves two steps: transfer this task to someone else',
  'route.sod.requester': '{person} is the requester',
  'route.sod.otherStep': '{person} approves another step',
  'route.sod.kept': 'the step\'s other approvers take it',
  'route.sod.fallback.role_others': 'given to the role\'s other members',
  'route.sod.fallback.managers_manager': 'given to the manager\'s manager',
  'route.sod.fallback.user': 'given to the named fallback approver',
  /** Between the reasons of one step. */
  'route.sod.separator': '; ',
  'card.dialog.routeSeparation': 'Separation of duties · {step}: {why}',
} as const;
