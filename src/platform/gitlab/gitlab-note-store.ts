import { gitlabFailure, httpStatusOf, type GitLabClient } from "./gitlab-client.js";
import { NOTE_MARKER } from "../../report/gitlab-note.js";
import { LruMap } from "../shared/lru-map.js";

export interface NoteTarget {
  projectId: number;
  iid: number;
}

/**
 * Keeps exactly one hubgate note per merge request (DESIGN rule 4): find it by the hidden
 * marker among the notes hubgate's own user wrote, edit it, or create it when there is none.
 * Writes to one MR are serialised, so two runs (or a redelivered webhook) can never both
 * miss the note and create two. Shared by every run of one webhook handler.
 */
export class GitLabNoteStore {
  private readonly ids = new LruMap<string, number>(5000);
  private readonly chains = new Map<string, Promise<unknown>>();
  private me: Promise<number> | undefined;

  constructor(private readonly api: GitLabClient) {}

  /**
   * Edit hubgate's note on the MR to `body`, or create it. With `createIfMissing: false` an
   * absent note stays absent. Returns the note id, or undefined when nothing was written.
   */
  ensure(
    target: NoteTarget,
    body: string,
    options: { createIfMissing?: boolean } = {},
  ): Promise<number | undefined> {
    const key = `${target.projectId}!${target.iid}`;
    const run = async () => {
      let id = this.ids.get(key) ?? (await this.find(target));
      if (id !== undefined) {
        try {
          await this.api.MergeRequestNotes.edit(target.projectId, target.iid, id, { body });
          this.ids.set(key, id);
          return id;
        } catch (error) {
          // Deleted by someone since we cached it: look again, then fall back to creating.
          if (httpStatusOf(error) !== 404) throw gitlabFailure(`editing note ${id} on !${target.iid}`, error);
          this.ids.delete(key);
          id = await this.find(target);
          if (id !== undefined) {
            await this.api.MergeRequestNotes.edit(target.projectId, target.iid, id, { body }).catch(
              (e: unknown) => {
                throw gitlabFailure(`editing note ${id} on !${target.iid}`, e);
              },
            );
            this.ids.set(key, id);
            return id;
          }
        }
      }
      if (options.createIfMissing === false) return undefined;
      try {
        const created = await this.api.MergeRequestNotes.create(target.projectId, target.iid, body);
        this.ids.set(key, created.id);
        return created.id;
      } catch (error) {
        throw gitlabFailure(`commenting on !${target.iid}`, error);
      }
    };
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => {});
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }

  /** The oldest marked note written by hubgate's own user; a contributor quoting the marker is ignored. */
  private async find(target: NoteTarget): Promise<number | undefined> {
    const me = await this.currentUserId();
    try {
      const notes = await this.api.MergeRequestNotes.all(target.projectId, target.iid, {
        sort: "asc",
        orderBy: "created_at",
        perPage: 100,
      });
      return notes.find((n) => !n.system && n.author?.id === me && n.body.startsWith(NOTE_MARKER))?.id;
    } catch (error) {
      throw gitlabFailure(`listing the notes of !${target.iid}`, error);
    }
  }

  private currentUserId(): Promise<number> {
    this.me ??= this.api.Users.showCurrentUser().then(
      (user) => user.id,
      (error: unknown) => {
        this.me = undefined;
        throw gitlabFailure("reading the token's own user", error);
      },
    );
    return this.me;
  }
}
