/** A person and department as a platform's directory reports them; synced into the local directory. */
export interface DirectoryUser {
  externalId: string;
  aliases: string[];
  name: string;
  email?: string;
  mobile?: string;
  departmentExternalIds: string[];
  managerExternalId?: string;
}

export interface DirectoryDepartment {
  externalId: string;
  name: string;
  parentExternalId?: string;
  leaderExternalIds: string[];
}

/** Reads a platform's org directory (users, departments, managers, leaders). */
export interface DirectorySource {
  listDepartments(): Promise<DirectoryDepartment[]>;
  listUsers(): Promise<DirectoryUser[]>;
}
