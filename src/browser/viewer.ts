/**
 * Profiles opened in the main area: the notebook output's ProfileWidget in
 * a MainAreaWidget, one tab per profile. Opening a profile that already has
 * a tab brings that tab forward instead of loading it again.
 */
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { MimeModel } from '@jupyterlab/rendermime';
import { IDisposable } from '@lumino/disposable';

import { requestAPI } from '../handler';
import { IProfileOutput, IVmprofSettings, PROFILE_MIME_TYPE } from '../tokens';
import { ProfileWidget } from '../views/profile-widget';
import { profileIcon } from './icon';
import { IProfileMeta } from './profile-list';

export type ProfileViewer = MainAreaWidget<ProfileWidget>;

/** What a viewer needs to know to load a profile (from meta.json or a restored layout). */
export type ViewerProfile = Pick<IProfileMeta, 'id'> & Partial<IProfileMeta>;

export class ProfileViewers implements IDisposable {
  constructor(
    private readonly _addToMainArea: (widget: ProfileViewer) => void,
    /** Brings a tab forward: Widget.activate() alone does not select a dock tab. */
    private readonly _activate: (widget: ProfileViewer) => void,
    private readonly _settings: IVmprofSettings | null
  ) {}

  /** Every open viewer; the layout restorer saves and reopens them. */
  readonly tracker = new WidgetTracker<ProfileViewer>({ namespace: 'jupyterlab-vmprof-viewer' });

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The viewer of this profile, if one is open. */
  find(id: string): ProfileViewer | undefined {
    return this.tracker.find(widget => widget.content.node.dataset.profileId === id);
  }

  /** Show the profile in its tab, making the tab if there is none. */
  async open(profile: ViewerProfile): Promise<ProfileViewer> {
    const existing = this.find(profile.id);
    if (existing) {
      this._activate(existing);
      return existing;
    }
    const content = new ProfileWidget(this._settings);
    // Set now so a second open() before the render finds this tab.
    content.node.dataset.profileId = profile.id;
    const viewer = new MainAreaWidget({ content });
    viewer.id = `jp-vmprof-viewer-${profile.id}`;
    viewer.addClass('jp-vmprof-viewer');
    viewer.title.icon = profileIcon;
    viewer.title.closable = true;
    this._retitle(viewer, profile);
    this._addToMainArea(viewer);
    void this.tracker.add(viewer);
    this._activate(viewer);

    if (!profile.name) {
      // Reopened by the layout restorer after a reload, before the profile list is
      // loaded: the tab and the toolbar take the profile's name from its metadata.
      profile = (await this._meta(profile.id)) ?? profile;
      this._retitle(viewer, profile);
    }
    const output: IProfileOutput = {
      id: profile.id,
      name: profile.name || profile.id,
      status: profile.status ?? 'complete',
      samples: profile.samples ?? null,
      duration_s: profile.duration_s ?? null,
      warnings: profile.warnings ?? [],
      version: 1
    };
    await content.renderModel(
      new MimeModel({ data: { [PROFILE_MIME_TYPE]: output as any }, trusted: true })
    );
    return viewer;
  }

  /** A profile was renamed: its tab follows. */
  renamed(meta: IProfileMeta): void {
    const viewer = this.find(meta.id);
    if (viewer) {
      this._retitle(viewer, meta);
    }
  }

  /** A profile was deleted: its tab has nothing left to show. */
  deleted(id: string): void {
    this.find(id)?.dispose();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.tracker.dispose();
  }

  private async _meta(id: string): Promise<IProfileMeta | null> {
    try {
      return await requestAPI<IProfileMeta>(`profiles/${encodeURIComponent(id)}`);
    } catch {
      return null; // the widget says what is wrong when it loads the graph
    }
  }

  private _retitle(viewer: ProfileViewer, profile: ViewerProfile): void {
    const name = profile.name || profile.id;
    viewer.title.label = name;
    viewer.title.caption = profile.notebook
      ? `${name}\n${profile.id}\n${profile.notebook}`
      : `${name}\n${profile.id}`;
  }

  private _isDisposed = false;
}
