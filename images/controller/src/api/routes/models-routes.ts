import { notFound } from '../../domain/api-error';
import type { ServedModel } from '../../serving/served-models';
import type { ApiContext } from '../api-context';
import type { Route } from '../http-types';
import { modelView } from '../views';

/**
 * Base models registered on the platform (every project) and this project's fine-tuned models; a job's checkpoints
 * (`…:ckpt-step-N`) are retrievable too. Extension field `servable`: whether the model can be served right now (an
 * upstream serves its base and answers). `DELETE` retires a fine-tuned model (serving/model-retirement.ts).
 */
export function modelsRoutes(ctx: ApiContext): readonly Route[] {
  const serving = ctx.serving;
  const view = async (m: ServedModel) => ({
    ...modelView({ id: m.id, createdAt: m.createdAt, projectId: m.projectId }),
    servable: await serving.servable(m),
  });
  return [
    {
      method: 'GET',
      template: '/v1/models',
      handler: async (req) => {
        const models = await serving.models.list(req.auth.projectId);
        return { status: 200, body: { object: 'list', data: await Promise.all(models.map(view)) } };
      },
    },
    {
      method: 'GET',
      template: '/v1/models/:model*',
      handler: async (req) => {
        const id = req.params['model'] ?? '';
        const model = await serving.models.find(req.auth.projectId, id);
        if (model === undefined) throw notFound('model', id, 'model_not_found', 'model');
        return { status: 200, body: await view(model) };
      },
    },
    {
      method: 'DELETE',
      template: '/v1/models/:model*',
      handler: async (req) => {
        const id = req.params['model'] ?? '';
        return { status: 200, body: await serving.retirement.retire(req.auth.projectId, id), target: id };
      },
    },
  ];
}
