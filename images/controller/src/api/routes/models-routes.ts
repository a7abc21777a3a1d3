import { notFound } from '../../domain/api-error';
import type { ApiContext } from '../api-context';
import type { Route } from '../http-types';
import { modelView } from '../views';

/** Base models registered on the platform (every project) and this project's fine-tuned models. */
export function modelsRoutes(ctx: ApiContext): readonly Route[] {
  return [
    {
      method: 'GET',
      template: '/v1/models',
      handler: async (req) => ({ status: 200, body: { object: 'list', data: (await ctx.store.listModels(req.auth.projectId)).map(modelView) } }),
    },
    {
      method: 'GET',
      template: '/v1/models/:model*',
      handler: async (req) => {
        const id = req.params['model'] ?? '';
        const model = await ctx.store.getModel(req.auth.projectId, id);
        if (model === undefined) throw notFound('model', id, 'model_not_found', 'model');
        return { status: 200, body: modelView(model) };
      },
    },
  ];
}
