/**
 * 职责分离（src/workflow/separation.ts）：提交或转交被拒的原因，以及审批路线预览中某一步改派的说明；中文，合并进 zh.ts。
 * 与 en-separation.ts 的键相同。
 */
export const zhSeparation = {
  'error.noSeparateApprover': '「{step}」没有可审批的人：申请人和其他步骤的审批人不能审批这一步，且没有可用的替补审批人。管理员可为该事项配置 separation.fallback',
  'error.sodTransferRequester': '不能转交给申请人：任何人都不能审批自己的申请',
  'error.sodTransferOtherStep': '不能转交给{person}：对方已审批或持有本申请的其他步骤（{step}），同一人不能审批两个步骤',
  'error.sodTransferLaterStep': '不能转交给{person}：对方是本申请后续步骤（{step}）的审批人，同一人不能审批两个步骤',
  'error.sodTransferNoFallback': '不能转交给{person}：后续步骤「{step}」需改派他人，但没有可用的替补审批人',
  'error.sodSelf': '你是申请人，不能审批自己的申请：请把这个任务转交给其他人',
  'error.sodTwoSteps': '你已审批过本申请的其他步骤（{step}），同一人不能审批两个步骤：请把这个任务转交给其他人',
  'route.sod.requester': '{person}是申请人',
  'route.sod.otherStep': '{person}负责其他步骤',
  'route.sod.kept': '由本步骤其他审批人审批',
  'route.sod.fallback.role_others': '改由同角色其他成员审批',
  'route.sod.fallback.managers_manager': '改由上级的上级审批',
  'route.sod.fallback.user': '改由指定的替补审批人审批',
  /** Between the reasons of one step. */
  'route.sod.separator': '；',
  'card.dialog.routeSeparation': '职责分离 · {step}：{why}',
} as const;
