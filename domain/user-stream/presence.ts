/** A port: whether a user has a live stream open on any instance right now. */
export interface Presence {
  /** When it cannot tell (Redis down), it answers false: an extra inbox item beats a silent one. */
  isOnline(userId: string): Promise<boolean>;
}
