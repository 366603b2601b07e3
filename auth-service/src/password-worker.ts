import bcrypt from 'bcryptjs';

/** One bcrypt job, run on a pool thread so the event loop keeps serving other requests. */
export type PasswordTask =
  | { readonly op: 'hash'; readonly password: string; readonly cost: number }
  | { readonly op: 'compare'; readonly password: string; readonly hash: string };

export default function runPasswordTask(task: PasswordTask): Promise<string | boolean> {
  return task.op === 'hash' ? bcrypt.hash(task.password, task.cost) : bcrypt.compare(task.password, task.hash);
}
