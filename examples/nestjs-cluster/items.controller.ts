import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { ItemCacheService } from './item-cache.service.js';

/** A small cache-aside API: `GET /items/:id`, `PUT /items/:id` with `{ "name": "..." }`. */
@Controller('items')
export class ItemsController {
  constructor(@Inject(ItemCacheService) private readonly items: ItemCacheService) {}

  @Get(':id')
  get(@Param('id') id: string) {
    return this.items.get(id);
  }

  @Put(':id')
  put(@Param('id') id: string, @Body() body: { name?: string }) {
    return this.items.put(id, String(body?.name ?? ''));
  }
}
