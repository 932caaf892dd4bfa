import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, PDFStream, type PDFContext, type PDFObject } from 'pdf-lib';

/** PDFs: checked, then rewritten without their metadata. */

/**
 * The structure a PDF must show before it is parsed: the header, and the trailer a complete file ends with. The
 * metadata is removed later, by `cleanPdf` (asynchronous), when the file is stored.
 */
export function checkPdf(input: Buffer): Buffer | null {
  if (!/^%PDF-\d\.\d/.test(input.subarray(0, 8).toString('latin1'))) return null;
  const tail = input.subarray(Math.max(0, input.length - 1024)).toString('latin1');
  return tail.includes('%%EOF') && tail.includes('startxref') ? input : null;
}

/** Dictionary keys that hold data about the document rather than the document: XMP streams and private app data. */
const pdfMetadataKeys = new Set(['Metadata', 'PieceInfo']);
const METADATA = PDFName.of('Metadata');
const XML = PDFName.of('XML');

/** An XMP stream, however the key that points to it is spelled. */
function isMetadataStream(context: PDFContext, object: PDFObject): boolean {
  const target = object instanceof PDFRef ? context.lookup(object) : object;
  return (
    target instanceof PDFStream &&
    (target.dict.get(PDFName.of('Type')) === METADATA || target.dict.get(PDFName.of('Subtype')) === XML)
  );
}

/**
 * Every object reachable from the catalog, with the metadata entries of each dictionary on the way removed. What is
 * left unreached (the information dictionary, XMP streams, objects that earlier incremental updates replaced) is
 * not written out.
 */
function reachableObjects(context: PDFContext, root: PDFObject): Set<PDFRef> {
  const reached = new Set<PDFRef>();
  const pending: PDFObject[] = [root];
  while (pending.length > 0) {
    const object = pending.pop()!;
    if (object instanceof PDFRef) {
      if (reached.has(object)) continue;
      reached.add(object);
      const target = context.lookup(object);
      if (target) pending.push(target);
    } else if (object instanceof PDFDict || object instanceof PDFStream) {
      const dict = object instanceof PDFStream ? object.dict : object;
      for (const [key, value] of dict.entries()) {
        if (pdfMetadataKeys.has(key.decodeText()) || isMetadataStream(context, value)) dict.delete(key);
        else pending.push(value);
      }
    } else if (object instanceof PDFArray) {
      // An XMP stream listed in an array is not written; its reference then reads as null.
      pending.push(...object.asArray().filter((item) => !isMetadataStream(context, item)));
    }
  }
  return reached;
}

/**
 * Rewrites a PDF without its document information dictionary (Author, Creator, Producer, Title, Subject, Keywords,
 * dates), its file identifier, XMP metadata streams anywhere in it, private application data and every object an
 * incremental update left behind; the pages, their content and resources are copied as they are. The result is
 * parsed again and must have its pages. Null when that cannot be done safely: an encrypted file (its metadata
 * cannot be read, so it cannot be removed), an object the parser cannot read, or a result that does not open.
 */
export async function cleanPdf(input: Buffer): Promise<Buffer | null> {
  const options = { updateMetadata: false, throwOnInvalidObject: true, parseSpeed: Infinity } as const;
  try {
    const document = await PDFDocument.load(input, options);
    const pages = document.getPageCount();
    const { context } = document;
    if (pages < 1 || !context.trailerInfo.Root) return null;
    context.trailerInfo.Info = undefined;
    context.trailerInfo.ID = undefined;
    const reached = reachableObjects(context, context.trailerInfo.Root);
    for (const [ref] of context.enumerateIndirectObjects()) if (!reached.has(ref)) context.delete(ref);
    const output = Buffer.from(
      await document.save({ addDefaultPage: false, updateFieldAppearances: false, objectsPerTick: Infinity }),
    );
    const reread = await PDFDocument.load(output, options);
    return reread.getPageCount() === pages && !reread.context.trailerInfo.Info ? output : null;
  } catch {
    return null;
  }
}
