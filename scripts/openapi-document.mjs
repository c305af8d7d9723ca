// The service's OpenAPI document without running the service: no database, no network, no build.
// The TypeScript sources are transpiled file by file as Node loads them (the project compiles with
// isolatedModules, so a single file's emit is what tsc emits), and Nest builds the application in
// preview mode, which scans the modules and controllers but constructs no provider (so nothing
// connects anywhere). Swagger reads the controllers' decorators alone: the document is byte for
// byte the one the running service serves at /docs-json (test/openapi-document.e2e-spec.ts holds
// the two equal). `npm run lint` and `npm run build` read it to generate the dashboard's wire types.
//
//   node scripts/openapi-document.mjs > openapi.json
import { existsSync, readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

/** tsconfig.json's options (decorators, target), emitting an ES module per file. */
function compilerOptions() {
  const file = ts.readConfigFile(`${root}tsconfig.json`, ts.sys.readFile);
  if (file.error) throw new Error(ts.flattenDiagnosticMessageText(file.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(file.config, ts.sys, root);
  return {
    ...options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    sourceMap: false,
    inlineSourceMap: true,
    declaration: false,
    noEmit: false,
  };
}

let hooked = false;

/** Lets Node import the project's .ts files through their compiled names (`./x.js` → `./x.ts`). */
function loadTypeScriptSources() {
  if (hooked) return;
  if (!nodeModule.registerHooks) {
    throw new Error(
      `Node ${process.version} cannot load the TypeScript sources (module.registerHooks): run this ` +
        "through npm, whose scripts run on the project's Node 24",
    );
  }
  hooked = true;
  const options = compilerOptions();
  const ours = (url) => url?.startsWith('file:') && !url.includes('/node_modules/');
  nodeModule.registerHooks({
    resolve(specifier, context, next) {
      if (specifier.startsWith('.') && specifier.endsWith('.js') && ours(context.parentURL)) {
        const source = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
        if (existsSync(source)) return { url: source.href, shortCircuit: true };
      }
      return next(specifier, context);
    },
    load(url, context, next) {
      if (!url.endsWith('.ts') || !ours(url)) return next(url, context);
      const fileName = fileURLToPath(url);
      const { outputText } = ts.transpileModule(readFileSync(fileName, 'utf8'), {
        fileName,
        compilerOptions: options,
      });
      return { format: 'module', source: outputText, shortCircuit: true };
    },
  });
}

/** The OpenAPI document of the service as built from the sources in this tree. */
export async function buildOpenApiDocument() {
  loadTypeScriptSources();
  await import('reflect-metadata');
  const [{ NestFactory }, { FastifyAdapter }, { AppModule }, openapi] = await Promise.all([
    import('@nestjs/core'),
    import('@nestjs/platform-fastify'),
    import(pathToFileURL(`${root}src/app.module.ts`).href),
    import(pathToFileURL(`${root}src/common/openapi/openapi.ts`).href),
  ]);
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return openapi.buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`);
}
