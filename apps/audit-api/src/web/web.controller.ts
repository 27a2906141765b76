import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Public } from '../auth/roles.decorator';

/** The page's files: a fixed list, read once; nothing else on disk can be named by a URL. */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'app.js': { file: () => join(webDirectory(), 'app.js'), type: 'text/javascript; charset=utf-8' },
  'app.css': { file: () => join(webDirectory(), 'app.css'), type: 'text/css; charset=utf-8' },
  'echarts.min.js': { file: () => require.resolve('echarts/dist/echarts.min.js'), type: 'text/javascript; charset=utf-8' },
};

/** The auditors' page at `/`: static files that read the API with the key the user gives it. */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller()
export class WebController {
  private readonly cache = new Map<string, Buffer>();

  @Get()
  page(@Res() response: Response): void {
    this.send(response, join(webDirectory(), 'index.html'), 'text/html; charset=utf-8');
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() response: Response): void {
    const asset = Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) throw new NotFoundException();
    this.send(response, asset.file(), asset.type);
  }

  private send(response: Response, path: string, type: string): void {
    let body = this.cache.get(path);
    if (!body) {
      body = readFileSync(path);
      this.cache.set(path, body);
    }
    response.setHeader('Content-Type', type);
    response.setHeader('Cache-Control', 'no-cache');
    response.send(body);
  }
}

/** apps/audit-api/web, from the sources (tests) or from dist/ (the built app). */
function webDirectory(): string {
  for (let directory = __dirname; directory !== dirname(directory); directory = dirname(directory)) {
    const candidate = join(directory, 'apps', 'audit-api', 'web');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  throw new Error('the web page files (apps/audit-api/web) are missing');
}
