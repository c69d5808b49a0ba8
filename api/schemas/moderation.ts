import { z } from 'zod';
import { REPORT_TARGETS } from '../../domain/moderation/reports.ts';
import { Id, Timestamp } from './common.ts';

export const CreateReportBody = z
  .strictObject({
    targetType: z.enum(REPORT_TARGETS),
    targetId: Id,
    reason: z.string().trim().min(1).max(1000).meta({ description: 'Why; read by the admins.' }),
  })
  .meta({ id: 'CreateReport' });

export const Report = z
  .object({
    id: Id,
    reporterId: Id,
    targetType: z.enum(REPORT_TARGETS),
    targetId: Id,
    reason: z.string(),
    createdAt: Timestamp,
    targetExists: z.boolean().meta({ description: 'False once the target was deleted.' }),
  })
  .meta({ id: 'Report' });

export const Suspension = z.object({ userId: Id, suspendedAt: Timestamp }).meta({ id: 'Suspension' });
export const Hiding = z.object({ listingId: Id, hiddenAt: Timestamp }).meta({ id: 'Hiding' });
