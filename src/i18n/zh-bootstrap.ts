/** bootstrap：一次性管理员链接的页面（src/identity/bootstrap-routes.ts）；与 en-bootstrap.ts 键相同。 */
export const zhBootstrap = {
  'bootstrap.invalid': '此登录链接已被使用、已过期或无效。请重启服务获取新链接，或使用飞书或钉钉登录。',
  'bootstrap.noAdmin': '通讯录中还没有人拥有管理员（admin）角色。请在通讯录文件中为某人设置 roles: [admin] 后再打开此链接。',
} as const;
