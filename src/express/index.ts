// Express adapter: lands with the NestJS/Express issue.
export const EXPRESS_ADAPTER_PENDING = true;
