import { Body, Controller, Get, NotFoundException, Param, Put } from '@nestjs/common';
import type { ResilientRedis } from 'redis-resilience';
import { InjectResilientRedis } from 'redis-resilience/nestjs';

/**
 * `PUT /notes/:id` writes through the primary endpoint; `GET /notes/:id` reads from the
 * reader endpoint (which may lag the primary by a few milliseconds), falling back to the
 * primary when the reader is down. Redis errors become 503 with Retry-After in the filter.
 */
@Controller('notes')
export class NotesController {
  constructor(@InjectResilientRedis('main') private readonly redis: ResilientRedis) {}

  @Put(':id')
  async put(@Param('id') id: string, @Body() body: { text?: string }) {
    // SET without NX/XX is idempotent: after a failover the client may safely retry it.
    await this.redis.set(`note:${id}`, String(body?.text ?? ''));
    return { id, stored: true };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const text = await this.redis.get(`note:${id}`);
    if (text === null) throw new NotFoundException(`no note ${id}`);
    return { id, text };
  }
}
