/**
 * The plugins of jupyterlab-vmprof. Plugin objects only: the work is done
 * in the modules they wire together.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { KernelAutoloader } from './autoload';
import { VmprofSettings } from './settings';
import { IVmprofSettings, PROFILE_MIME_TYPE } from './tokens';
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
    _app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    settings: IVmprofSettings | null
  ): void => {
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

const plugins: JupyterFrontEndPlugin<any>[] = [
  settingsPlugin,
  rendererPlugin,
  autoloadPlugin
];

export default plugins;
