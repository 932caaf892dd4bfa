export const officerColumns: Record<string, string[]> = {
  nip: ['nip', 'nip/ni pppk', 'nip / ni pppk', 'ni pppk', 'nip baru', 'nomor induk pegawai'],
  name: ['nama', 'nama lengkap', 'nama pegawai', 'name'],
  position: ['jabatan', 'nama jabatan', 'position'],
  unitCode: ['kode unit', 'kode unit kerja', 'unit', 'unit code', 'unitcode', 'unit kerja'],
};

export const unitColumns: Record<string, string[]> = {
  code: ['kode', 'kode unit', 'code'],
  name: ['nama', 'nama unit', 'name'],
  parentCode: ['kode induk', 'kode unit induk', 'induk', 'parent', 'parent code', 'parentcode'],
  timeZone: ['zona waktu', 'zona', 'time zone', 'timezone'],
  kind: ['jenis', 'jenis unit', 'kind'],
  population: ['jumlah pengguna layanan', 'jumlah pengguna', 'populasi', 'population'],
};

/** "WIB" / "WITA" / "WIT" as people write them, or the IANA name. */
export function timeZoneFromText(text: string): string | undefined {
  const value = text.trim().toUpperCase();
  if (value === '') return undefined;
  const byLabel: Record<string, string> = {
    WIB: 'Asia/Jakarta',
    'UTC+7': 'Asia/Jakarta',
    WITA: 'Asia/Makassar',
    'UTC+8': 'Asia/Makassar',
    WIT: 'Asia/Jayapura',
    'UTC+9': 'Asia/Jayapura',
  };
  return (
    byLabel[value] ??
    ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'].find((zone) => zone.toUpperCase() === value) ??
    'invalid'
  );
}
