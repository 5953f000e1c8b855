/**
 * The commands of the profile browser, and where they appear: the command
 * palette, the main menu, the browser's toolbar and context menu, and the
 * notebook cell context menu. Commands that act on a profile take an
 * optional `id` argument and default to the browser's selection.
 * `vmprof:compare` takes `a` and `b` ids (deltas are B − A); without them it
 * compares the Ctrl/Cmd-click partner (A) with the selection (B), or asks
 * which profile to compare the selection with.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, InputDialog } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { KernelMessage } from '@jupyterlab/services';
import {
  CommandToolbarButton,
  deleteIcon,
  downloadIcon,
  editIcon,
  fileUploadIcon,
  launchIcon,
  refreshIcon,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { Menu, Widget } from '@lumino/widgets';

import { PROFILE_MIME_TYPE } from '../tokens';
import { CompareViewers } from './compare';
import { profileIcon } from './icon';
import { ProfileBrowser } from './profile-browser';
import { formatInfo } from '../formats/registry';
import { EXPORT_FORMATS, ExportFormat, IProfileMeta } from './profile-list';
import { isNotebookPanel, profileActiveCell } from './profile-cell';
import { ProfileViewers } from './viewer';

export const CommandIDs = {
  openBrowser: 'vmprof:open-browser',
  profileCell: 'vmprof:profile-cell',
  open: 'vmprof:open',
  rename: 'vmprof:rename',
  remove: 'vmprof:delete',
  importFiles: 'vmprof:import',
  refresh: 'vmprof:refresh-profiles',
  compare: 'vmprof:compare',
  exportAs: (format: ExportFormat) => `vmprof:export-${format}`
};


const CATEGORY = 'vmprof';

function idArg(args: ReadonlyPartialJSONObject): string | undefined {
  return typeof args.id === 'string' ? args.id : undefined;
}

/** Register the commands; returns what undoes the registrations. */
export function addCommands(
  app: JupyterFrontEnd,
  browser: ProfileBrowser,
  viewers: ProfileViewers,
  palette: ICommandPalette | null,
  mainMenu: IMainMenu | null,
  compare: CompareViewers | null = null
): void {
  const { commands } = app;
  const target = (args: ReadonlyPartialJSONObject) =>
    idArg(args) ?? browser.selected?.id;
  const hasTarget = (args: ReadonlyPartialJSONObject) => !!target(args);

  commands.addCommand(CommandIDs.openBrowser, {
    label: 'Show vmprof Profiles',
    caption: 'Open the list of vmprof profiles in the left sidebar',
    icon: args => (args.isPalette ? undefined : profileIcon),
    execute: () => {
      app.shell.activateById(browser.id);
    }
  });

  commands.addCommand(CommandIDs.profileCell, {
    label: 'Profile Cell with vmprof',
    caption: 'Run the selected cell under %%vmprof, leaving its source unchanged',
    icon: args => (args.isPalette ? undefined : profileIcon),
    isEnabled: () => isNotebookPanel(app.shell.currentWidget),
    execute: async () => {
      const panel = app.shell.currentWidget;
      if (!isNotebookPanel(panel)) {
        return;
      }
      try {
        await profileActiveCell(panel);
      } catch (error) {
        browser.model.reportError(`Cannot profile the cell: ${(error as Error).message ?? error}`);
        app.shell.activateById(browser.id);
      }
      void browser.model.refreshIfChanged();
    }
  });

  commands.addCommand(CommandIDs.open, {
    label: 'Open Profile',
    caption: 'Open the selected profile in the main area',
    icon: args => (args.isPalette ? undefined : launchIcon),
    isEnabled: hasTarget,
    execute: async args => {
      const id = target(args);
      if (id) {
        await viewers.open(browser.model.find(id) ?? { id });
      }
    }
  });

  commands.addCommand(CommandIDs.rename, {
    label: 'Rename Profile…',
    caption: 'Rename the selected profile (F2)',
    icon: args => (args.isPalette ? undefined : editIcon),
    isEnabled: hasTarget,
    execute: args => browser.renameProfile(target(args))
  });

  commands.addCommand(CommandIDs.remove, {
    label: 'Delete Profile…',
    caption: 'Delete the selected profile from the store (Delete)',
    icon: args => (args.isPalette ? undefined : deleteIcon),
    isEnabled: hasTarget,
    execute: args => browser.deleteProfile(target(args))
  });

  commands.addCommand(CommandIDs.importFiles, {
    label: 'Import vmprof Profile…',
    caption: 'Upload .prof files into the profile store (or drop them on the list)',
    icon: args => (args.isPalette ? undefined : fileUploadIcon),
    execute: () => {
      app.shell.activateById(browser.id);
      browser.chooseFilesToImport();
    }
  });

  commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh Profile List',
    caption: 'Read the profile store again',
    icon: args => (args.isPalette ? undefined : refreshIcon),
    execute: () => browser.model.refresh()
  });

  for (const format of EXPORT_FORMATS) {
    commands.addCommand(CommandIDs.exportAs(format), {
      label: formatInfo(format).command,
      caption: `Download the selected profile (${format})`,
      isEnabled: hasTarget,
      execute: args => browser.exportProfile(format, target(args))
    });
  }

  if (compare) {
    addCompareCommand(app, browser, compare);
  }

  browser.selectionChanged.connect(() => commands.notifyCommandChanged());
  browser.openRequested.connect((_, meta) => void viewers.open(meta));
  browser.renamed.connect((_, meta) => viewers.renamed(meta));
  browser.deleted.connect((_, id) => viewers.deleted(id));
  browser.renamed.connect((_, meta) => compare?.renamed(meta));
  browser.deleted.connect((_, id) => compare?.deleted(id));
  app.shell.currentChanged?.connect(() => commands.notifyCommandChanged(CommandIDs.profileCell));

  const exportMenu = new Menu({ commands });
  exportMenu.title.label = 'Export Profile';
  for (const format of EXPORT_FORMATS) {
    exportMenu.addItem({ command: CommandIDs.exportAs(format) });
  }
  addToolbar(browser, app, exportMenu);
  addContextMenus(app, exportMenu);

  if (palette) {
    for (const command of [
      CommandIDs.openBrowser,
      CommandIDs.profileCell,
      CommandIDs.open,
      CommandIDs.rename,
      CommandIDs.remove,
      CommandIDs.importFiles,
      CommandIDs.refresh,
      ...(compare ? [CommandIDs.compare] : []),
      ...EXPORT_FORMATS.map(CommandIDs.exportAs)
    ]) {
      palette.addItem({ command, category: CATEGORY });
    }
  }
  if (mainMenu) {
    mainMenu.viewMenu.addGroup([{ command: CommandIDs.openBrowser }], 100);
    mainMenu.runMenu.addGroup([{ command: CommandIDs.profileCell }], 100);
    mainMenu.fileMenu.addGroup([{ command: CommandIDs.importFiles }], 100);
  }
}

function addToolbar(browser: ProfileBrowser, app: JupyterFrontEnd, exportMenu: Menu): void {
  const { commands } = app;
  const items: [string, string][] = [
    ['refresh', CommandIDs.refresh],
    ['import', CommandIDs.importFiles],
    ['open', CommandIDs.open],
    ['rename', CommandIDs.rename],
    ['delete', CommandIDs.remove]
  ];
  for (const [name, id] of items) {
    browser.toolbar.addItem(name, new CommandToolbarButton({ commands, id, label: '' }));
  }
  const exportButton = new ToolbarButton({
    icon: downloadIcon,
    tooltip: 'Export the selected profile…',
    'aria-haspopup': 'menu',
    onClick: () => {
      const rect = exportButton.node.getBoundingClientRect();
      exportMenu.open(rect.left, rect.bottom);
    }
  });
  exportButton.addClass('jp-vmprof-browser-export');
  const updateExport = () => {
    exportButton.enabled = !!browser.selected;
  };
  browser.selectionChanged.connect(updateExport);
  updateExport();
  browser.toolbar.addItem('export', exportButton);
}

function addContextMenus(app: JupyterFrontEnd, exportMenu: Menu): void {
  const selector = '.jp-vmprof-browser-row';
  app.contextMenu.addItem({ command: CommandIDs.open, selector, rank: 1 });
  app.contextMenu.addItem({ command: CommandIDs.rename, selector, rank: 2 });
  app.contextMenu.addItem({ type: 'submenu', submenu: exportMenu, selector, rank: 3 });
  app.contextMenu.addItem({ command: CommandIDs.remove, selector, rank: 4 });
  if (app.commands.hasCommand(CommandIDs.compare)) {
    // On the list, not only on rows: Shift+F10 on the focused list opens the
    // menu with the list itself as target, and Compare must be reachable then too.
    app.contextMenu.addItem({ command: CommandIDs.compare, selector: '.jp-vmprof-browser-list', rank: 5 });
  }
  app.contextMenu.addItem({
    command: CommandIDs.profileCell,
    selector: '.jp-Notebook .jp-CodeCell',
    rank: 20
  });
}

function addCompareCommand(app: JupyterFrontEnd, browser: ProfileBrowser, compare: CompareViewers): void {
  const idOf = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  app.commands.addCommand(CommandIDs.compare, {
    label: args => {
      if (idOf(args.a) && idOf(args.b)) {
        return 'Compare Profiles';
      }
      const partner = browser.comparePartner;
      return partner ? `Compare with “${partner.name || partner.id}”` : 'Compare with…';
    },
    caption:
      'Compare two profiles function by function (Ctrl/Cmd-click a second profile to choose the pair)',
    isEnabled: args => !!(idOf(args.a) ?? browser.selected),
    execute: async args => {
      const meta = (id: string): IProfileMeta | { id: string } => browser.model.find(id) ?? { id };
      let a = idOf(args.a);
      let b = idOf(args.b);
      if (!a || !b) {
        const selected = browser.selected;
        const partner = browser.comparePartner;
        if (!selected) {
          return;
        }
        if (partner) {
          [a, b] = [partner.id, selected.id];
        } else {
          a = selected.id;
          b = await chooseOther(browser, selected);
        }
      }
      if (a && b) {
        browser.clearComparePartner();
        await compare.open(meta(a), meta(b));
      }
    }
  });
}

/** Ask which profile to compare `first` with; undefined when cancelled or there is none. */
async function chooseOther(browser: ProfileBrowser, first: IProfileMeta): Promise<string | undefined> {
  const others = browser.model.all.filter(meta => meta.id !== first.id);
  if (others.length === 0) {
    browser.model.reportError('There is no other profile to compare with: take or import a second one.');
    return undefined;
  }
  // Names need not be unique: the id makes each choice distinct.
  const labels = others.map(meta => `${meta.name || meta.id} — ${meta.id}`);
  const result = await InputDialog.getItem({
    title: `Compare “${first.name || first.id}” (A) with…`,
    label: 'Profile B (deltas are B − A)',
    items: labels,
    current: 0,
    okLabel: 'Compare'
  });
  const index = result.button.accept && result.value !== null ? labels.indexOf(result.value) : -1;
  return index >= 0 ? others[index].id : undefined;
}

/**
 * Watches every notebook's kernel messages and refreshes the list as soon
 * as a profile output is published, rather than waiting for the next poll.
 */
export class ProfileOutputWatcher implements DocumentRegistry.WidgetExtension {
  constructor(private readonly _onProfileOutput: () => void) {}

  createNew(widget: Widget, context: DocumentRegistry.Context): IDisposable {
    const onMessage = (_: unknown, msg: KernelMessage.IMessage) => {
      const type = msg.header.msg_type;
      if (type === 'display_data' || type === 'update_display_data') {
        const data = (msg.content as KernelMessage.IDisplayDataMsg['content']).data;
        if (data && PROFILE_MIME_TYPE in data) {
          this._onProfileOutput();
        }
      }
    };
    context.sessionContext.iopubMessage.connect(onMessage);
    return new DisposableDelegate(() => {
      context.sessionContext.iopubMessage.disconnect(onMessage);
    });
  }
}
