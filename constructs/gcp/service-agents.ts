import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { DataGoogleStorageProjectServiceAccount } from '@cdktf/provider-google/lib/data-google-storage-project-service-account';
import { Construct } from 'constructs';

/**
 * The Google-managed service agents that encrypt with the platform's keys (GKE secrets, GCS, Artifact Registry, Compute Engine disks, Cloud SQL, Secret Manager), as
 * IAM members. The project number comes from the project at plan time; nothing is hard-coded.
 */
export class ServiceAgents extends Construct {
  public readonly gke: string;
  public readonly storage: string;
  public readonly artifactRegistry: string;
  /** The Compute Engine service agent: it encrypts node and VM boot disks with a CMEK. */
  public readonly computeEngine: string;
  /** The Cloud SQL service agent: it encrypts the database's disks and backups with a CMEK. */
  public readonly cloudSql: string;
  /** The Secret Manager service agent: it encrypts secret payloads with a CMEK. */
  public readonly secretManager: string;

  constructor(scope: Construct, id: string, props: { readonly project: string }) {
    super(scope, id);
    const project = new DataGoogleProject(this, 'project', { projectId: props.project });
    const gcs = new DataGoogleStorageProjectServiceAccount(this, 'gcs', { project: props.project });
    this.gke = `serviceAccount:service-${project.number}@container-engine-robot.iam.gserviceaccount.com`;
    this.storage = `serviceAccount:${gcs.emailAddress}`;
    this.artifactRegistry = `serviceAccount:service-${project.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com`;
    this.computeEngine = `serviceAccount:service-${project.number}@compute-system.iam.gserviceaccount.com`;
    this.cloudSql = `serviceAccount:service-${project.number}@gcp-sa-cloud-sql.iam.gserviceaccount.com`;
    this.secretManager = `serviceAccount:service-${project.number}@gcp-sa-secretmanager.iam.gserviceaccount.com`;
  }
}
