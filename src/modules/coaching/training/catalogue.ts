import type { Types } from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { findOfficer } from '../../directory/index.js';
import { isObjectId, oid } from '../access.js';
import { adminAgency } from '../evaluations/settings.js';
import { TrainingCourse, type CourseDoc } from './catalogue-model.js';
import { courseChange, courseInput, type CourseInput } from './schemas.js';

/**
 * An agency's training catalogue, kept by its admins (`directory.manage` on the agency, as the agency's other coaching
 * settings). Each change is audited with the course before and after.
 */

export const courseView = (course: CourseDoc) => ({
  id: String(course._id),
  title: course.title,
  provider: course.provider,
  jp: course.jp,
  method: course.method,
  active: course.active,
});
export type CourseView = ReturnType<typeof courseView>;

/** The agency's active courses, by title: what a rule or a training record may pick. */
export async function activeCourses(agencyId: string | Types.ObjectId): Promise<CourseView[]> {
  const courses = await TrainingCourse.find({ agencyId: oid(agencyId), active: true })
    .sort({ title: 1 })
    .lean<CourseDoc[]>();
  return courses.map(courseView);
}

/** The active courses of the officer's agency: the choices of the training form. */
export async function coursesForOfficer(nip: string): Promise<CourseView[]> {
  const officer = await findOfficer({ nip });
  return officer?.unitPath[0] ? activeCourses(officer.unitPath[0]) : [];
}

/** An active course of this agency, or a validation error on `field`. */
export async function courseOfAgency(agencyId: string | Types.ObjectId, id: unknown, field = 'courseId') {
  const course = isObjectId(id)
    ? await TrainingCourse.findOne({ _id: id, agencyId: oid(agencyId), active: true }).lean<CourseDoc>()
    : null;
  if (!course) throw AppError.validation({ [field]: { key: 'coaching.catalogue.unknown_course' } });
  return course;
}

export async function listCourses(actor: Actor | undefined, agencyCode: unknown) {
  const agency = await adminAgency(actor, agencyCode);
  const courses = await TrainingCourse.find({ agencyId: agency._id })
    .sort({ active: -1, title: 1 })
    .lean<CourseDoc[]>();
  return { agency: { code: agency.code, name: agency.name }, courses: courses.map(courseView) };
}

export async function getCourse(actor: Actor | undefined, agencyCode: unknown, id: unknown) {
  const agency = await adminAgency(actor, agencyCode);
  const course = isObjectId(id)
    ? await TrainingCourse.findOne({ _id: id, agencyId: agency._id }).lean<CourseDoc>()
    : null;
  if (!course) throw new AppError('not_found');
  return { agency: { code: agency.code, name: agency.name }, course: courseView(course) };
}

export async function createCourse(actor: Actor | undefined, agencyCode: unknown, raw: unknown) {
  const agency = await adminAgency(actor, agencyCode);
  const input = check<CourseInput>(courseInput, raw);
  const created = await TrainingCourse.create({ agencyId: agency._id, ...input, active: true });
  const after = courseView(created.toObject() as CourseDoc);
  await recordAudit(actor!, 'coaching.course.create', agency.code, { courseId: after.id, before: null, after }, null, {
    unitPath: agency.path,
  });
  return after;
}

/** Changes a course, or only switches it on or off; training already recorded keeps what it was recorded with. */
export async function updateCourse(actor: Actor | undefined, agencyCode: unknown, id: unknown, raw: unknown) {
  const { course: before } = await getCourse(actor, agencyCode, id);
  const agency = await adminAgency(actor, agencyCode);
  const input = check<Partial<CourseInput> & { active?: boolean }>(courseChange, raw);
  const updated = await TrainingCourse.findOneAndUpdate(
    { _id: before.id, agencyId: agency._id },
    { $set: input },
    { returnDocument: 'after' },
  ).lean<CourseDoc>();
  if (!updated) throw new AppError('not_found');
  const after = courseView(updated);
  const action =
    input.active === undefined || Object.keys(input).length > 1 ? 'update' : input.active ? 'activate' : 'deactivate';
  await recordAudit(actor!, `coaching.course.${action}`, agency.code, { courseId: after.id, before, after }, null, {
    unitPath: agency.path,
  });
  return after;
}
