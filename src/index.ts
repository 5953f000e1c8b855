/**
 * The plugins of jupyterlab-vmprof. Plugin objects only: the work is done
 * in the modules they wire together.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';

import { addCommands, CommandIDs, ProfileOutputWatcher } from './browser/commands';
import { profileIcon } from './browser/icon';
import { ProfileBrowser } from './browser/profile-browser';
import { ProfileListModel } from './browser/profile-list';
import { RemoteProfileFetcher } from './browser/remote-profiles';
import { ProfileViewers } from './browser/viewer';
import { comparedIds, CompareViewers } from './browser/compare';

import { KernelAutoloader } from './autoload';
import { VmprofSettings } from './settings';
import { IVmprofSettings, PROFILE_MIME_TYPE } from './tokens';
import { setContentsManager, setDocumentPathResolver } from './views/export-menu';
import { preloadPlotlyWhenIdle } from './views/plotly';
import { onProfileArrived } from './views/arrivals';
import { ProfileWidget } from './views/profile-widget';

const PLUGIN_PREFIX = 'jupyterlab-vmprof';

/** View settings from schema/plugin.json, applied live. */
const settingsPlugin: JupyterFrontEndPlugin<IVmprofSettings> = {
  id: `${PLUGIN_PREFIX}:plugin`,
  description: 'Settings of the vmprof profile views.',
  autoStart: true,
  provides: IVmprofSettings,
  optional: [ISettingRegistry],
  activate: (
    _app: JupyterFrontEnd,
    registry: ISettingRegistry | null
  ): IVmprofSettings => {
    const settings = new VmprofSettings();
    if (registry) {
      registry
        .load(settingsPlugin.id)
        .then(loaded => {
          const apply = () => settings.update(loaded.composite as Record<string, unknown>);
          apply();
          loaded.changed.connect(apply);
        })
        .catch(reason => {
          console.warn('jupyterlab-vmprof: cannot load settings, using defaults.', reason);
        });
    }
    return settings;
  }
};

/** Renders the profile outputs of `%%vmprof` cells. */
const rendererPlugin: JupyterFrontEndPlugin<void> = {
  id: `${PLUGIN_PREFIX}:renderer`,
  description: 'Shows vmprof profile outputs as flame graphs and tables.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [IVmprofSettings],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    settings: IVmprofSettings | null
  ): void => {
    // "Save callgrind next to the notebook" writes through the Contents API.
    setContentsManager(app.serviceManager.contents);
    // The output's own notebook, when it sits in an open document.
    setDocumentPathResolver(node => {
      for (const widget of app.shell.widgets('main')) {
        const path = (widget as { context?: { path?: unknown } }).context?.path;
        if (typeof path === 'string' && widget.node.contains(node)) {
          return path;
        }
      }
      return null;
    });
    // plotly (our partial bundle, 1.2 MB) is kept off JupyterLab's start-up,
    // but fetched and evaluated once the page is idle, so the first profile a
    // user opens does not wait for it (docs/benchmarks.md, flame graph).
    void app.restored.then(preloadPlotlyWhenIdle);
    rendermime.addFactory(
      {
        // Names are rendered as text and plotly labels are escaped, so the
        // renderer is safe for untrusted notebooks too.
        safe: true,
        mimeTypes: [PROFILE_MIME_TYPE],
        // Ahead of the text/html fallback (rank 50) of the same bundle.
        defaultRank: 10,
        createRenderer: () => new ProfileWidget(settings)
      },
      10
    );
  }
};

/** Loads the `%%vmprof` magic into every Python notebook kernel. */
const autoloadPlugin: JupyterFrontEndPlugin<void> = {
  id: `${PLUGIN_PREFIX}:autoload`,
  description: 'Loads the jupyterlab_vmprof IPython extension in Python kernels.',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    app.docRegistry.addWidgetExtension('Notebook', new KernelAutoloader());
  }
};

/**
 * The profile browser in the left sidebar, the main-area profile viewers,
 * and the commands (open browser, profile cell, open, rename, delete,
 * export, import).
 */
const browserPlugin: JupyterFrontEndPlugin<void> = {
  id: `${PLUGIN_PREFIX}:browser`,
  description: 'Lists the profiles of the store in the left sidebar and opens them in the main area.',
  autoStart: true,
  optional: [IVmprofSettings, ICommandPalette, IMainMenu, ILayoutRestorer, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    settings: IVmprofSettings | null,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    restorer: ILayoutRestorer | null,
    registry: ISettingRegistry | null
  ): void => {
    const model = new ProfileListModel();
    const browser = new ProfileBrowser(model);
    browser.title.icon = profileIcon;
    browser.title.caption = 'vmprof profiles';
    app.shell.add(browser, 'left', { rank: 600 });
    registry
      ?.load(browserPlugin.id)
      .then(loaded => {
        const apply = () => {
          browser.pollInterval = 1000 * (loaded.get('pollIntervalSeconds').composite as number);
        };
        apply();
        loaded.changed.connect(apply);
      })
      .catch(reason => console.warn('jupyterlab-vmprof: browser settings not loaded.', reason));
    const viewers = new ProfileViewers(
      widget => app.shell.add(widget, 'main'),
      widget => app.shell.activateById(widget.id),
      settings
    );
    const comparisons = new CompareViewers(
      widget => app.shell.add(widget, 'main'),
      widget => app.shell.activateById(widget.id)
    );
    addCommands(app, browser, viewers, palette, mainMenu, comparisons);
    // A new profile output refreshes the list at once; polling covers the rest.
    app.docRegistry.addWidgetExtension(
      'Notebook',
      new ProfileOutputWatcher(() => void model.refreshIfChanged())
    );
    // Profiles of kernels whose store this server cannot read come over the kernel protocol.
    app.docRegistry.addWidgetExtension('Notebook', new RemoteProfileFetcher());
    onProfileArrived(() => void model.refreshIfChanged());
    if (restorer) {
      restorer.add(browser, 'jupyterlab-vmprof-browser');
      void restorer.restore(viewers.tracker, {
        command: CommandIDs.open,
        args: viewer => ({ id: viewer.content.node.dataset.profileId ?? '' }),
        name: viewer => viewer.content.node.dataset.profileId ?? ''
      });
      void restorer.restore(comparisons.tracker, {
        command: CommandIDs.compare,
        args: viewer => {
          const [a, b] = comparedIds(viewer);
          return { a, b };
        },
        name: viewer => comparedIds(viewer).join(':')
      });
    }
  }
};

const plugins: JupyterFrontEndPlugin<any>[] = [
  settingsPlugin,
  rendererPlugin,
  autoloadPlugin,
  browserPlugin
];

export default plugins;
