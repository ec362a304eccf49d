// NestJS adapter: lands with the NestJS/Express issue.
export const NESTJS_ADAPTER_PENDING = true;
